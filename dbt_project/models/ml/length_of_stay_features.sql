-- Features for length of stay, as known at admission (the prediction time).
-- Every feature uses data at or before the admission; only the target (the stay's
-- length in days) looks forward. The MS-DRG stands in for the working DRG assigned
-- on admission (CMS MS-DRG v41 relative weights): the simulator assigns one DRG per
-- stay, so a production feed must supply the working, not the final coded, DRG.
-- The target is mature once the stay has ended and the admission is at least 30 days
-- before the end of the data, so the latest admissions do not bias towards short stays.

with encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

patients as (
    select * from {{ ref('stg_ehr__patients') }}
),

data_end as (
    select max(admitted_at) as data_end_at from encounters
),

history as (
    select
        admissions.encounter_id,
        count(prior.encounter_id) as prior_admissions_365d,
    from encounters as admissions
    left join encounters as prior
        on prior.patient_id = admissions.patient_id
        and prior.admitted_at < admissions.admitted_at
        and prior.admitted_at >= admissions.admitted_at - interval 365 day
    group by all
),

final as (
    select
        encounters.encounter_id,
        encounters.patient_id,
        encounters.hospital_id,
        encounters.admitted_at,
        cast(encounters.admitted_at as date) as admission_date,
        patients.age_years,
        patients.sex,
        patients.primary_payer,
        patients.charlson_index,
        encounters.acuity_level,
        encounters.admission_source,
        coalesce(encounters.ms_drg_code, 'unknown') as ms_drg_code,
        encounters.ms_drg_relative_weight,
        history.prior_admissions_365d,
        round(date_diff('minute', encounters.admitted_at, encounters.discharged_at) / 1440.0, 3) as length_of_stay_days,
        encounters.discharged_at is not null
            and encounters.admitted_at + interval 30 day <= (select data_end_at from data_end) as is_target_mature,
    from encounters
    inner join patients using (patient_id)
    inner join history using (encounter_id)
)

select * from final
