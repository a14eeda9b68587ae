with source as (
    select * from {{ source('ehr', 'hospitals') }}
),

final as (
    select
        cast(hospital_id as varchar) as hospital_id,
        cast(hospital_name as varchar) as hospital_name,
        cast(staffed_beds as integer) as staffed_beds,
        cast(ed_bays as integer) as ed_bays,
        cast(region_zip3 as varchar) as region_zip3,
    from source
)

select * from final
