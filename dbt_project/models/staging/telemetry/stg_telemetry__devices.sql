with source as (
    select * from {{ source('telemetry', 'devices') }}
),

final as (
    select
        cast(device_id as varchar) as device_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(unit_id as varchar) as unit_id,
        cast(monitor_model as varchar) as monitor_model,
    from source
)

select * from final
