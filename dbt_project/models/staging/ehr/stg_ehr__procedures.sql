with source as (
    select * from {{ source('ehr', 'procedures') }}
),

final as (
    select
        cast(procedure_id as varchar) as procedure_id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(code_system as varchar) as code_system,
        cast(procedure_code as varchar) as procedure_code,
        cast(performed_at as timestamp) as performed_at,
    from source
)

select * from final
