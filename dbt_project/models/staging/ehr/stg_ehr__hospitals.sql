with source as (
    select * from {{ source('ehr', 'hospitals') }}
),

final as (
    select
        cast(hospital_id as varchar) as hospital_id,
        cast(hospital_name as varchar) as hospital_name,
        cast(staffed_beds as integer) as staffed_beds,
    from source
)

select * from final
