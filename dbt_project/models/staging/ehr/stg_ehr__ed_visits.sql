with source as (
    select * from {{ source('ehr', 'ed_visits') }}
),

final as (
    select
        cast(ed_visit_id as varchar) as ed_visit_id,
        cast(patient_id as varchar) as patient_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(arrived_at as timestamp) as arrived_at,
        cast(arrival_mode as varchar) as arrival_mode,
        cast(esi_level as integer) as esi_level,
        cast(provider_seen_at as timestamp) as provider_seen_at,
        cast(disposition_decided_at as timestamp) as disposition_decided_at,
        cast(departed_at as timestamp) as departed_at,
        cast(disposition as varchar) as disposition,
    from source
)

select * from final
