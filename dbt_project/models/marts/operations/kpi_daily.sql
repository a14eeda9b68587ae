{{ config(unique_key=['hospital_id', 'kpi_date']) }}
-- Operational KPIs per hospital per day, rebuilt per landing day (incremental).
-- Midnight census: inpatients occupying a bed at the midnight that ends the day
-- (admitted before it, not yet discharged), the census convention of the AHA Annual
-- Survey and of NHSN patient-day counts. Occupancy %: midnight census over staffed beds
-- (AHA). Admissions / discharges: inpatient encounters admitted / discharged on the day.
-- ALOS: mean length of stay of the day's discharges, length of stay counted in midnights
-- with a same-day stay as one day (AHA / CMS). Discharges before noon %: share of the
-- day's discharges leaving before 12:00 (IHI patient-flow measure). NEWS2 alerts raised:
-- alerts of the stream (RCP 2017 bands) raised on the day; of those, the number
-- acknowledged and escalated (not acknowledged within the alert policy's deadline, 30 min
-- high / 60 min medium, after the RCP 2017 NEWS2 response standards), and the median
-- minutes from raising to acknowledgement over the acknowledged ones (late
-- acknowledgements included; unacknowledged alerts excluded; null when none).
-- ED, by arrival day: arrivals; medians of door to provider, arrival to departure for
-- discharged (CMS OP-18b) and admitted (CMS ED-1) patients, admit decision to departure
-- (CMS ED-2); LWBS % = left without being seen / arrivals (CMS OP-22); boarding hours =
-- sum of admit decision to departure (ACEP boarding definition). Nursing hours per
-- patient day: worked nursing hours of the day (regular, overtime, agency) over the
-- midnight census (NDNQI HPPD).

with encounters as (
    select * from {{ ref('int_encounters_enriched') }}
),

hospitals as (
    select * from {{ ref('stg_ehr__hospitals') }}
),

adt_events as (
    select * from {{ ref('stg_ehr__adt_events') }}
),

alerts as (
    select * from {{ ref('stg_streams__news2_alerts') }}
),

acknowledgements as (
    select * from {{ ref('stg_streams__news2_acknowledgements') }}
    where alert_type = 'news2'
),

escalations as (
    select * from {{ ref('stg_streams__news2_escalations') }}
    where alert_type = 'news2'
),

ed_days as (
    select * rename (arrival_date as kpi_date) from {{ ref('int_ed_days_summarized') }}
),

nurse_shifts as (
    select * from {{ ref('stg_operations__nurse_shifts') }}
),

data_days as (
    select unnest(generate_series(
        min(cast(event_at as date)),
        max(cast(event_at as date)),
        interval 1 day
    )) as day
    from adt_events
),

calendar as (
    select
        hospitals.hospital_id,
        hospitals.staffed_beds,
        cast(data_days.day as date) as kpi_date,
    from hospitals
    cross join data_days
    where {{ in_landing_days('cast(data_days.day as date)') }}
),

census as (
    select
        calendar.hospital_id,
        calendar.kpi_date,
        count(encounters.encounter_id) as midnight_census,
    from calendar
    left join encounters
        on encounters.hospital_id = calendar.hospital_id
        and encounters.admitted_at < calendar.kpi_date + interval 1 day
        and (encounters.discharged_at is null or encounters.discharged_at >= calendar.kpi_date + interval 1 day)
    group by all
),

admissions as (
    select hospital_id, admission_date as kpi_date, count(*) as admissions,
    from encounters
    group by all
),

discharges as (
    select
        hospital_id,
        discharge_date as kpi_date,
        count(*) as discharges,
        avg(length_of_stay_days) as alos_days,
        100.0 * count(*) filter (where is_discharged_before_noon) / count(*) as discharges_before_noon_pct,
    from encounters
    where is_discharged
    group by all
),

alerts_raised as (
    select
        encounters.hospital_id,
        cast(alerts.raised_at as date) as kpi_date,
        count(*) as news2_alerts_raised,
        count(acknowledgements.alert_id) as news2_alerts_acknowledged,
        count(escalations.alert_id) as news2_alerts_escalated,
        median(
            date_diff('microsecond', alerts.raised_at, acknowledgements.acknowledged_at) / 60000000.0
        ) as median_news2_minutes_to_acknowledgement,
    from alerts
    inner join encounters on encounters.encounter_id = alerts.encounter_id
    left join acknowledgements on acknowledgements.alert_id = alerts.alert_id
    left join escalations on escalations.alert_id = alerts.alert_id
    group by all
),

nursing_days as (
    select hospital_id, shift_date as kpi_date,
        sum(regular_hours + overtime_hours + agency_hours) as nursing_hours,
    from nurse_shifts
    group by all
),

final as (
    select
        calendar.hospital_id,
        calendar.kpi_date,
        calendar.staffed_beds,
        census.midnight_census,
        100.0 * census.midnight_census / calendar.staffed_beds as occupancy_pct,
        coalesce(admissions.admissions, 0) as admissions,
        coalesce(discharges.discharges, 0) as discharges,
        discharges.alos_days,
        discharges.discharges_before_noon_pct,
        coalesce(ed_days.ed_arrivals, 0) as ed_arrivals,
        ed_days.median_door_to_provider_minutes,
        ed_days.median_ed_length_of_stay_discharged_minutes,
        ed_days.median_ed_length_of_stay_admitted_minutes,
        ed_days.median_admit_decision_to_departure_minutes,
        ed_days.lwbs_pct,
        coalesce(ed_days.ed_boarding_hours, 0) as ed_boarding_hours,
        nursing_days.nursing_hours / nullif(census.midnight_census, 0) as nursing_hours_per_patient_day,
        coalesce(alerts_raised.news2_alerts_raised, 0) as news2_alerts_raised,
        coalesce(alerts_raised.news2_alerts_acknowledged, 0) as news2_alerts_acknowledged,
        coalesce(alerts_raised.news2_alerts_escalated, 0) as news2_alerts_escalated,
        alerts_raised.median_news2_minutes_to_acknowledgement,
    from calendar
    inner join census using (hospital_id, kpi_date)
    left join admissions using (hospital_id, kpi_date)
    left join discharges using (hospital_id, kpi_date)
    left join ed_days using (hospital_id, kpi_date)
    left join nursing_days using (hospital_id, kpi_date)
    left join alerts_raised using (hospital_id, kpi_date)
)

select * from final
