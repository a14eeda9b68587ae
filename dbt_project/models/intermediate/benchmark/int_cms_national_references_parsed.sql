-- CMS Care Compare national references (July 2024 release), one row per measure, with the
-- published strings parsed explicitly: "Not Available" and "Not Applicable" become a null
-- value with their status; any other non-numeric value is 'unparsed' and fails a test.

with published as (
    select measure_id, measure_name, national_rate as value_text, footnote, start_date, end_date,
        'Unplanned_Hospital_Visits-National.csv' as source_file,
    from {{ ref('cms__unplanned_hospital_visits_national') }}
    union all
    select measure_id, measure_name, score, footnote, start_date, end_date,
        'Timely_and_Effective_Care-National.csv',
    from {{ ref('cms__timely_and_effective_care_national') }}
    union all
    select measure_id, measure_name, national_rate, footnote, start_date, end_date,
        'Complications_and_Deaths-National.csv',
    from {{ ref('cms__complications_and_deaths_national') }}
    union all
    select measure_id, measure_name, score, footnote, start_date, end_date,
        'Healthcare_Associated_Infections-National.csv',
    from {{ ref('cms__healthcare_associated_infections_national') }}
),

final as (
    select
        measure_id,
        measure_name,
        source_file,
        trim(value_text) as published_value,
        case
            when trim(value_text) = 'Not Available' then 'not_available'
            when trim(value_text) = 'Not Applicable' then 'not_applicable'
            when try_cast(trim(value_text) as double) is not null then 'reported'
            else 'unparsed'
        end as value_status,
        try_cast(trim(value_text) as double) as national_value,
        nullif(trim(footnote), '') as footnote_codes,
        strptime(start_date, '%m/%d/%Y')::date as period_start_date,
        strptime(end_date, '%m/%d/%Y')::date as period_end_date,
        'CMS Care Compare 2024-07' as release,
    from published
)

select * from final
