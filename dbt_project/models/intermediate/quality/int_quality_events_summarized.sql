-- Safety and sepsis events per hospital per month, with their denominators (patient and
-- device days from int_exposure_days_counted, NHSN midnight convention). Falls and
-- pressure injuries per 1,000 patient days (NDNQI); CLABSI and CAUTI per 1,000 central-line / urinary-catheter
-- days (NHSN). Sepsis (CMS SEP-1 element): a lactate collected from 6 h before to 3 h after
-- sepsis time zero (recognition). Deterioration (rapid response, unplanned ICU transfer,
-- cardiac arrest): preceded by a NEWS2 alert with score >= 5 (RCP 2017 urgent-response
-- threshold) in the 24 h before on the same encounter; lead time from the earliest such
-- alert to the event.

with clinical_events as (
    select * from {{ ref('stg_ehr__clinical_events') }}
),

labs as (
    select * from {{ ref('stg_ehr__lab_results') }}
),

alerts as (
    select * from {{ ref('stg_streams__news2_alerts') }}
),

exposure_days as (
    select * from {{ ref('int_exposure_days_counted') }}
),

sepsis as (
    select
        clinical_events.hospital_id,
        cast(date_trunc('month', clinical_events.event_at) as date) as quality_month,
        clinical_events.clinical_event_id,
        count(labs.lab_result_id) > 0 as has_lactate_within_3h,
    from clinical_events
    left join labs
        on labs.encounter_id = clinical_events.encounter_id
        and labs.loinc_code = '2524-7'
        and labs.collected_at between clinical_events.event_at - interval 6 hour and clinical_events.event_at + interval 3 hour
    where clinical_events.event_type = 'sepsis'
    group by all
),

deterioration as (
    select
        clinical_events.hospital_id,
        cast(date_trunc('month', clinical_events.event_at) as date) as quality_month,
        clinical_events.clinical_event_id,
        clinical_events.event_at,
        min(alerts.raised_at) as first_alert_at,
    from clinical_events
    left join alerts
        on alerts.encounter_id = clinical_events.encounter_id
        and alerts.news2_score >= 5
        and alerts.raised_at >= clinical_events.event_at - interval 24 hour
        and alerts.raised_at <= clinical_events.event_at
    where clinical_events.event_type in ('rapid_response', 'unplanned_icu_transfer', 'cardiac_arrest')
    group by all
),

event_counts as (
    select
        hospital_id,
        cast(date_trunc('month', event_at) as date) as quality_month,
        count(*) filter (where event_type = 'fall') as falls,
        count(*) filter (where event_type = 'pressure_injury') as pressure_injuries,
        count(*) filter (where event_type = 'clabsi') as clabsi_events,
        count(*) filter (where event_type = 'cauti') as cauti_events,
    from clinical_events
    group by all
),

sepsis_counts as (
    select hospital_id, quality_month, count(*) as sepsis_cases,
        count(*) filter (where has_lactate_within_3h) as sepsis_lactate_within_3h,
    from sepsis
    group by all
),

deterioration_counts as (
    select hospital_id, quality_month, count(*) as deterioration_events,
        count(first_alert_at) as deterioration_events_with_prior_alert,
        median(date_diff('microsecond', first_alert_at, event_at) / 60000000.0) as median_alert_lead_minutes,
    from deterioration
    group by all
),

keys as (
    select hospital_id, quality_month from exposure_days
    union select hospital_id, quality_month from event_counts
),

final as (
    select
        keys.hospital_id,
        keys.quality_month,
        coalesce(exposure_days.patient_days, 0) as patient_days,
        coalesce(exposure_days.central_line_days, 0) as central_line_days,
        coalesce(exposure_days.urinary_catheter_days, 0) as urinary_catheter_days,
        coalesce(event_counts.falls, 0) as falls,
        coalesce(event_counts.pressure_injuries, 0) as pressure_injuries,
        coalesce(event_counts.clabsi_events, 0) as clabsi_events,
        coalesce(event_counts.cauti_events, 0) as cauti_events,
        coalesce(sepsis_counts.sepsis_cases, 0) as sepsis_cases,
        coalesce(sepsis_counts.sepsis_lactate_within_3h, 0) as sepsis_lactate_within_3h,
        coalesce(deterioration_counts.deterioration_events, 0) as deterioration_events,
        coalesce(deterioration_counts.deterioration_events_with_prior_alert, 0) as deterioration_events_with_prior_alert,
        deterioration_counts.median_alert_lead_minutes,
    from keys
    left join exposure_days using (hospital_id, quality_month)
    left join event_counts using (hospital_id, quality_month)
    left join sepsis_counts using (hospital_id, quality_month)
    left join deterioration_counts using (hospital_id, quality_month)
)

select * from final
