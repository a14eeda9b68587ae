with source as (
    select * from {{ source('streams', 'news2_alerts') }}
),

final as (
    select
        cast(alert_id as varchar) as alert_id,
        cast(alert_type as varchar) as alert_type,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(unit_id as varchar) as unit_id,
        cast(raised_at as timestamp) as raised_at,
        cast(news2_score as integer) as news2_score,
        cast(news2_band as varchar) as news2_band,
    from source
)

select * from final
