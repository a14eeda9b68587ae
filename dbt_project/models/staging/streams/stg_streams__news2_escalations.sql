-- Escalations: alerts not acknowledged within their deadline (30 min for high and 60 min
-- for medium NEWS2 bands, 60 min for sepsis alerts; Vigil alert policy on the RCP 2017
-- response triggers), escalated once by the early-warning dataflow.
with source as (
    select * from {{ source('streams', 'news2_escalations') }}
),

final as (
    select
        cast(alert_id as varchar) as alert_id,
        cast(alert_type as varchar) as alert_type,
        cast(patient_id as varchar) as patient_id,
        cast(news2_band as varchar) as news2_band,
        cast(raised_at as timestamp) as raised_at,
        cast(escalated_at as timestamp) as escalated_at,
        cast(reason as varchar) as escalation_reason,
    from source
)

select * from final
