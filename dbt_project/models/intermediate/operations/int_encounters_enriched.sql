-- Inpatient encounters with the attributes every mart needs, one row per encounter.
-- Length of stay follows the AHA / CMS patient-day convention: the midnights between
-- the admission date and the discharge date, a same-day stay counting as one day.
-- Discharges before noon: discharge time before 12:00 (IHI / Wertheimer 2014 flow metric).

with encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

patients as (
    select * from {{ ref('stg_ehr__patients') }}
),

final as (
    select
        encounters.encounter_id,
        encounters.patient_id,
        encounters.hospital_id,
        encounters.admission_source,
        encounters.acuity_level,
        encounters.admitted_at,
        encounters.discharged_at,
        encounters.discharge_disposition,
        encounters.ms_drg_code,
        cast(encounters.admitted_at as date) as admission_date,
        cast(encounters.discharged_at as date) as discharge_date,
        encounters.discharged_at is not null as is_discharged,
        coalesce(encounters.discharge_disposition = 'expired', false) as is_death,
        case
            when encounters.discharged_at is not null
                then greatest(date_diff('day', cast(encounters.admitted_at as date), cast(encounters.discharged_at as date)), 1)
        end as length_of_stay_days,
        case
            when encounters.discharged_at is not null then hour(encounters.discharged_at) < 12
        end as is_discharged_before_noon,
        patients.age_years,
        patients.sex,
        patients.charlson_index,
        patients.primary_payer,
    from encounters
    left join patients on patients.patient_id = encounters.patient_id
)

select * from final
