with source as (
    select * from {{ source('ehr', 'patients') }}
),

final as (
    select
        cast(patient_id as varchar) as patient_id,
        cast(age_years as integer) as age_years,
        cast(sex as varchar) as sex,
        cast(charlson_index as integer) as charlson_index,
        cast(primary_payer as varchar) as primary_payer,
        cast(zip3 as varchar) as zip3,
        cast(spo2_scale as integer) as spo2_scale,
    from source
)

select * from final
