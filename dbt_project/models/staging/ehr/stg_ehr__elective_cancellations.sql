with source as (
    select * from {{ source('ehr', 'elective_cancellations') }}
),

final as (
    select
        cast(cancellation_id as varchar) as cancellation_id,
        cast(patient_id as varchar) as patient_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(unit_id as varchar) as unit_id,
        cast(ms_drg_code as varchar) as ms_drg_code,
        cast(scheduled_at as timestamp) as scheduled_at,
        cast(cancellation_reason as varchar) as cancellation_reason,
    from source
)

select * from final
