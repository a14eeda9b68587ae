{#- Use the folder's schema name as is (staging, marts, ml) rather than dbt's
    default "<target_schema>_<custom>", so the warehouse schemas are the contract. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
