-- Index admissions linked to their 30-day readmission, one row per discharge, following
-- the CMS Hospital-Wide All-Cause Unplanned Readmission measure (HWR, CMS/Yale CORE
-- methodology report v4) as far as the feeds allow, for all payers:
-- * index admission: discharged alive, not against medical advice, not transferred out to
--   another acute care hospital, with 30 days of follow-up in the data;
-- * transfer chains: a discharge followed by an admission of the same patient to another
--   hospital on the same or the next day is a transfer out; the chain's last stay (the one
--   discharged to a non-acute setting) is the index admission;
-- * readmission: the first admission of the patient within 30 days of the index discharge
--   (days counted between dates, day 30 included, day 31 not); it counts only if unplanned
--   by the CMS Planned Readmission Algorithm v4.0 (int_admissions_planned_classified,
--   from its coded diagnoses and procedures): if the first readmission is planned, the
--   index is not readmitted, whatever follows (CMS rule);
-- * a readmission that ends in death still counts; a readmission may itself be an index.
-- The index is attributed to the discharging hospital and the month of discharge.

with encounters as (
    select * from {{ ref('int_encounters_enriched') }}
),

adt_events as (
    select * from {{ ref('stg_ehr__adt_events') }}
),

planned as (
    select * from {{ ref('int_admissions_planned_classified') }}
),

data_end as (
    select max(cast(event_at as date)) as data_end_date from adt_events
),

next_admissions as (
    select
        encounter_id,
        lead(encounter_id) over patient_admissions as next_encounter_id,
        lead(hospital_id) over patient_admissions as next_hospital_id,
        lead(admission_date) over patient_admissions as next_admission_date,
    from encounters
    window patient_admissions as (partition by patient_id order by admitted_at, encounter_id)
),

discharges as (
    select
        encounters.*,
        coalesce(
            encounters.discharge_disposition in ('transfer', 'acute_transfer')
            or (
                next_admissions.next_hospital_id <> encounters.hospital_id
                and date_diff('day', encounters.discharge_date, next_admissions.next_admission_date) between 0 and 1
            ),
            false
        ) as is_transfer_out,
        date_diff('day', encounters.discharge_date, data_end.data_end_date) as follow_up_days,
    from encounters
    inner join next_admissions on next_admissions.encounter_id = encounters.encounter_id
    cross join data_end
    where encounters.is_discharged
),

eligibility as (
    select
        *,
        case
            when is_death then 'died'
            when discharge_disposition in ('ama', 'against_medical_advice') then 'against_medical_advice'
            when is_transfer_out then 'transferred_out'
            when follow_up_days < 30 then 'insufficient_follow_up'
        end as exclusion_reason,
    from discharges
),

first_readmissions as (
    select
        eligibility.encounter_id,
        arg_min(readmission.encounter_id, readmission.admitted_at) as readmission_encounter_id,
        min(date_diff('day', eligibility.discharge_date, readmission.admission_date)) as days_to_readmission,
    from eligibility
    inner join encounters as readmission
        on readmission.patient_id = eligibility.patient_id
        and readmission.admitted_at >= eligibility.discharged_at
        and readmission.encounter_id <> eligibility.encounter_id
        and date_diff('day', eligibility.discharge_date, readmission.admission_date) <= 30
    where eligibility.exclusion_reason is null
    group by eligibility.encounter_id
),

final as (
    select
        eligibility.encounter_id,
        eligibility.patient_id,
        eligibility.hospital_id,
        eligibility.discharged_at,
        eligibility.discharge_date,
        cast(date_trunc('month', eligibility.discharge_date) as date) as discharge_month,
        eligibility.exclusion_reason is null as is_index_admission,
        eligibility.exclusion_reason,
        first_readmissions.readmission_encounter_id,
        first_readmissions.days_to_readmission,
        coalesce(planned.is_planned_admission, false) as is_first_readmission_planned,
        planned.planned_reason as first_readmission_planned_reason,
        coalesce(
            first_readmissions.readmission_encounter_id is not null
            and not coalesce(planned.is_planned_admission, false),
            false
        ) as is_unplanned_readmission_30d,
    from eligibility
    left join first_readmissions on first_readmissions.encounter_id = eligibility.encounter_id
    left join planned on planned.encounter_id = first_readmissions.readmission_encounter_id
)

select * from final
