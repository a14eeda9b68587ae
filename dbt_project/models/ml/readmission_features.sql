-- Features for 30-day readmission risk, as known at discharge (the prediction time).
-- Every feature uses data at or before the index discharge; only the label looks
-- forward. Label: an inpatient admission of the same patient within 30 days of the
-- discharge (all-cause). Deaths in hospital are not at risk and are excluded.
-- The label is mature once 30 days have passed before the end of the data.
-- LACE items (van Walraven 2010) are carried so the baseline is computed from the same
-- rows: acuity = unplanned (not elective) admission; E = the patient's emergency
-- department visits in the 6 months (182 days) before the index admission, not counting
-- the visit that led to it.

with encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

patients as (
    select * from {{ ref('stg_ehr__patients') }}
),

ed_visits as (
    select * from {{ ref('stg_ehr__ed_visits') }}
),

data_end as (
    select max(admitted_at) as data_end_at from encounters
),

index_stays as (
    select *
    from encounters
    where discharged_at is not null
      and discharged_at <= (select data_end_at from data_end)
      -- a stay without a disposition (HL7 PV1-36 not sent) is at risk, not dropped
      and discharge_disposition is distinct from 'expired'
),

history as (
    select
        index_stays.encounter_id,
        count(prior.encounter_id) as prior_admissions_365d,
    from index_stays
    left join encounters as prior
        on prior.patient_id = index_stays.patient_id
        and prior.admitted_at < index_stays.admitted_at
        and prior.admitted_at >= index_stays.admitted_at - interval 365 day
    group by all
),

emergency_history as (
    select
        index_stays.encounter_id,
        count(ed_visits.ed_visit_id) as ed_visits_6_months,
    from index_stays
    left join ed_visits
        on ed_visits.patient_id = index_stays.patient_id
        and ed_visits.arrived_at < index_stays.admitted_at
        and ed_visits.arrived_at >= index_stays.admitted_at - interval 182 day
        and ed_visits.ed_visit_id is distinct from index_stays.ed_visit_id
    group by all
),

next_admission as (
    select
        index_stays.encounter_id,
        min(later.admitted_at) as next_admitted_at,
    from index_stays
    left join encounters as later
        on later.patient_id = index_stays.patient_id
        and later.admitted_at > index_stays.discharged_at
    group by all
),

final as (
    select
        index_stays.encounter_id,
        index_stays.patient_id,
        index_stays.hospital_id,
        index_stays.discharged_at,
        cast(index_stays.discharged_at as date) as discharge_date,
        patients.age_years,
        patients.sex,
        patients.primary_payer,
        patients.charlson_index,
        index_stays.acuity_level,
        index_stays.admission_source <> 'elective' as is_emergent_admission,
        round(date_diff('minute', index_stays.admitted_at, index_stays.discharged_at) / 1440.0, 3) as length_of_stay_days,
        history.prior_admissions_365d,
        emergency_history.ed_visits_6_months,
        coalesce(next_admission.next_admitted_at <= index_stays.discharged_at + interval 30 day, false) as is_readmitted_30d,
        index_stays.discharged_at + interval 30 day <= (select data_end_at from data_end) as is_label_mature,
    from index_stays
    inner join patients using (patient_id)
    inner join history using (encounter_id)
    inner join emergency_history using (encounter_id)
    inner join next_admission using (encounter_id)
)

select * from final
