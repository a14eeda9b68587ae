-- Clinical quality per hospital per month of discharge.
-- Readmissions: CMS Hospital-Wide All-Cause Unplanned Readmission logic (see
-- int_readmissions_linked): index admissions are live discharges, not AMA, not transferred
-- out, with 30 days of follow-up; the numerator counts indexes whose first readmission
-- within 30 days is unplanned; rate = numerator / index admissions (CMS HWR, crude,
-- all payers; months whose 30-day follow-up is not complete have fewer indexes).
-- Mortality: in-hospital deaths among the month's discharges; expected deaths = sum of
-- each discharge's death probability from a case-mix logistic regression (age band, sex,
-- emergency admission, Charlson band, diagnosis group) fitted on every discharge (NHS
-- Digital SHMI specification; Jarman et al. 1999 HSMR; see
-- int_discharges_mortality_expected); O/E ratio = observed / expected deaths.
-- Safety (see int_quality_events_summarized): falls and pressure injuries per 1,000
-- patient days (NDNQI); CLABSI and CAUTI per 1,000 device days (NHSN); sepsis bundle
-- element: % of sepsis cases with a lactate within 3 h of time zero (CMS SEP-1);
-- deterioration events preceded by a NEWS2 alert >= 5 within 24 h (%), median lead time.

with hospitals as (
    select * from {{ ref('stg_ehr__hospitals') }}
),

readmissions as (
    select * from {{ ref('int_readmissions_linked') }}
),

mortality as (
    select * from {{ ref('int_discharges_mortality_expected') }}
),

events as (
    select * from {{ ref('int_quality_events_summarized') }}
),

months as (
    select distinct discharge_month from mortality
),

calendar as (
    select hospitals.hospital_id, months.discharge_month as quality_month,
    from hospitals
    cross join months
),

readmission_counts as (
    select
        hospital_id,
        discharge_month as quality_month,
        count(*) filter (where is_index_admission) as index_admissions,
        count(*) filter (where is_index_admission and is_unplanned_readmission_30d) as unplanned_readmissions_30d,
    from readmissions
    group by all
),

mortality_counts as (
    select
        hospital_id,
        discharge_month as quality_month,
        count(*) as discharges,
        count(*) filter (where is_death) as in_hospital_deaths,
        sum(expected_death_probability) as expected_deaths,
    from mortality
    group by all
),

final as (
    select
        calendar.hospital_id,
        calendar.quality_month,
        coalesce(mortality_counts.discharges, 0) as discharges,
        coalesce(readmission_counts.index_admissions, 0) as index_admissions,
        coalesce(readmission_counts.unplanned_readmissions_30d, 0) as unplanned_readmissions_30d,
        100.0 * readmission_counts.unplanned_readmissions_30d
            / nullif(readmission_counts.index_admissions, 0) as readmission_rate_pct,
        coalesce(mortality_counts.in_hospital_deaths, 0) as in_hospital_deaths,
        100.0 * mortality_counts.in_hospital_deaths
            / nullif(mortality_counts.discharges, 0) as mortality_rate_pct,
        mortality_counts.expected_deaths,
        mortality_counts.in_hospital_deaths
            / nullif(mortality_counts.expected_deaths, 0) as mortality_oe_ratio,
        coalesce(events.sepsis_cases, 0) as sepsis_cases,
        100.0 * events.sepsis_lactate_within_3h / nullif(events.sepsis_cases, 0)
            as sepsis_lactate_within_3h_pct,
        coalesce(events.deterioration_events, 0) as deterioration_events,
        100.0 * events.deterioration_events_with_prior_alert / nullif(events.deterioration_events, 0)
            as deterioration_with_prior_alert_pct,
        events.median_alert_lead_minutes,
        coalesce(events.patient_days, 0) as patient_days,
        1000.0 * events.falls / nullif(events.patient_days, 0) as falls_per_1000_patient_days,
        1000.0 * events.pressure_injuries / nullif(events.patient_days, 0)
            as pressure_injuries_per_1000_patient_days,
        1000.0 * events.clabsi_events / nullif(events.central_line_days, 0)
            as clabsi_per_1000_central_line_days,
        1000.0 * events.cauti_events / nullif(events.urinary_catheter_days, 0)
            as cauti_per_1000_catheter_days,
    from calendar
    left join readmission_counts using (hospital_id, quality_month)
    left join mortality_counts using (hospital_id, quality_month)
    left join events using (hospital_id, quality_month)
)

select * from final
