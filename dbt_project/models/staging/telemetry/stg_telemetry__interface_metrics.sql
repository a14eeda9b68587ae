with source as (
    select * from {{ source('telemetry', 'interface_metrics') }}
),

final as (
    select
        cast(hospital_id as varchar) as hospital_id,
        cast(interface_name as varchar) as interface_name,
        cast(interval_start_at as timestamp) as interval_start_at,
        cast(messages_processed as integer) as messages_processed,
        cast(mean_lag_seconds as double) as mean_lag_seconds,
        cast(queue_depth as integer) as queue_depth,
    from source
)

select * from final
