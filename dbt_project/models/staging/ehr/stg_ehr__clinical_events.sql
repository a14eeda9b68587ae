with source as (
    select * from {{ source('ehr', 'clinical_events') }}
),

final as (
    select
        cast(clinical_event_id as varchar) as clinical_event_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(patient_id as varchar) as patient_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(unit_id as varchar) as unit_id,
        cast(event_type as varchar) as event_type,
        cast(event_at as timestamp) as event_at,
    from source
)

select * from final
