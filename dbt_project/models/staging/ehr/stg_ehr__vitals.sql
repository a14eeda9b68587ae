with source as (
    select * from {{ source('ehr', 'vitals') }}
),

final as (
    select
        cast(observation_id as varchar) as observation_id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(unit_id as varchar) as unit_id,
        cast(observed_at as timestamp) as observed_at,
        cast(respiration_rate as double) as respiration_rate_per_minute,
        cast(spo2 as double) as spo2_pct,
        cast(on_supplemental_oxygen as boolean) as is_on_supplemental_oxygen,
        cast(systolic_bp as double) as systolic_bp_mmhg,
        cast(pulse as double) as pulse_per_minute,
        cast(consciousness as varchar) as acvpu_code,
        cast(temperature as double) as temperature_celsius,
        cast(spo2_scale as integer) as spo2_scale,
        cast(received_at as timestamp) as received_at,
    from source
)

select * from final
