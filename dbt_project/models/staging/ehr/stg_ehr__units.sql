with source as (
    select * from {{ source('ehr', 'units') }}
),

final as (
    select
        cast(unit_id as varchar) as unit_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(unit_type as varchar) as unit_type,
        cast(staffed_beds as integer) as staffed_beds,
        cast(monitor_model as varchar) as monitor_model,
    from source
)

select * from final
