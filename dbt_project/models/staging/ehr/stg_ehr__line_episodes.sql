with source as (
    select * from {{ source('ehr', 'line_episodes') }}
),

final as (
    select
        cast(line_episode_id as varchar) as line_episode_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(patient_id as varchar) as patient_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(unit_id as varchar) as unit_id,
        cast(device_type as varchar) as device_type,
        cast(inserted_at as timestamp) as inserted_at,
        cast(removed_at as timestamp) as removed_at,
    from source
)

select * from final
