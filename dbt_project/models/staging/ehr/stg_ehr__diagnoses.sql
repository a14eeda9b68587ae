with source as (
    select * from {{ source('ehr', 'diagnoses') }}
),

final as (
    select
        cast(diagnosis_id as varchar) as diagnosis_id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(code_system as varchar) as code_system,
        cast(diagnosis_code as varchar) as diagnosis_code,
        cast(diagnosis_rank as integer) as diagnosis_rank,
        cast(diagnosed_at as timestamp) as diagnosed_at,
    from source
)

select * from final
