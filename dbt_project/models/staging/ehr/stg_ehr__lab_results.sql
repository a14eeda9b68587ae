with source as (
    select * from {{ source('ehr', 'lab_results') }}
),

final as (
    select
        cast(lab_result_id as varchar) as lab_result_id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(loinc_code as varchar) as loinc_code,
        cast(test_name as varchar) as test_name,
        cast(value_numeric as double) as value_numeric,
        cast(unit_of_measure as varchar) as unit_of_measure,
        cast(abnormal_flag as varchar) as abnormal_flag,
        cast(ordered_at as timestamp) as ordered_at,
        cast(collected_at as timestamp) as collected_at,
        cast(resulted_at as timestamp) as resulted_at,
        cast(received_at as timestamp) as received_at,
    from source
)

select * from final
