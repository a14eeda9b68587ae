with source as (
    select * from {{ source('telemetry', 'device_heartbeats') }}
),

final as (
    select
        cast(device_id as varchar) as device_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(unit_id as varchar) as unit_id,
        cast(hour_start_at as timestamp) as hour_start_at,
        cast(heartbeats_expected as integer) as heartbeats_expected,
        cast(heartbeats_received as integer) as heartbeats_received,
        cast(error_count as integer) as error_count,
    from source
)

select * from final
