with source as (
    select * from {{ source('operations', 'unit_costs_daily') }}
),

final as (
    select
        cast(unit_id as varchar) as unit_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(cost_date as date) as cost_date,
        cast(patient_days as integer) as patient_days,
        cast(nursing_cost_usd as double) as nursing_cost_usd,
        cast(supplies_cost_usd as double) as supplies_cost_usd,
    from source
)

select * from final
