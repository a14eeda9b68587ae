{#- The first top of the hour at or after a time: the hour from which an interval that
    starts (or ends) at that time counts in a point-in-time census taken on the hour. -#}
{% macro next_top_of_hour(timestamp_expression) -%}
    case when date_trunc('hour', {{ timestamp_expression }}) = {{ timestamp_expression }}
        then {{ timestamp_expression }}
        else date_trunc('hour', {{ timestamp_expression }}) + interval 1 hour end
{%- endmacro %}
