with source as (
    select * from {{ source('ehr', 'encounters') }}
),

final as (
    select
        cast(encounter_id as varchar) as encounter_id,
        cast(patient_id as varchar) as patient_id,
        cast(hospital_id as varchar) as hospital_id,
        cast(encounter_type as varchar) as encounter_type,
        cast(admission_source as varchar) as admission_source,
        cast(acuity_level as integer) as acuity_level,
        cast(admitted_at as timestamp) as admitted_at,
        cast(discharged_at as timestamp) as discharged_at,
        cast(discharge_disposition as varchar) as discharge_disposition,
        cast(ed_visit_id as varchar) as ed_visit_id,
        cast(admitting_unit_id as varchar) as admitting_unit_id,
        cast(ms_drg_code as varchar) as ms_drg_code,
        cast(ms_drg_weight as double) as ms_drg_relative_weight,
    from source
    -- Bed stays only: the contract's encounters also hold the visits a hospital's feed
    -- carries (ED, clinic, ...); ED visits reach the marts through ed_visits.
    where encounter_type in ('inpatient', 'observation')
)

select * from final
