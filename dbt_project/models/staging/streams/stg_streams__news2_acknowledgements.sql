-- Acknowledgements: the nurse's answer to a medium, high or sepsis alert (RCP 2017
-- response triggers), matched to its alert by the early-warning dataflow. A late
-- acknowledgement (after the alert escalated) is kept, so minutes to acknowledgement
-- covers every answered alert.
with source as (
    select * from {{ source('streams', 'news2_acknowledgements') }}
),

final as (
    select
        cast(alert_id as varchar) as alert_id,
        cast(alert_type as varchar) as alert_type,
        cast(patient_id as varchar) as patient_id,
        cast(news2_band as varchar) as news2_band,
        cast(raised_at as timestamp) as raised_at,
        cast(acknowledged_at as timestamp) as acknowledged_at,
    from source
)

select * from final
