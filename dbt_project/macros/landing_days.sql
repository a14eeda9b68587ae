{#- The incremental models' day filter: the Dagster partition range arrives as the vars
    from_day / to_day (inclusive, YYYY-MM-DD). Without them every day is built. -#}
{% macro in_landing_days(day_expression) -%}
    {%- if var('from_day') and var('to_day') -%}
        ({{ day_expression }} between cast('{{ var("from_day") }}' as date) and cast('{{ var("to_day") }}' as date))
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
