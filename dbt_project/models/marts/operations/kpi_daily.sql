-- Operational KPIs per hospital per day.
-- Midnight census: inpatients occupying a bed at the midnight that ends the day
-- (admitted before it, not yet discharged), the census convention of the AHA Annual
-- Survey and of NHSN patient-day counts. Admissions and discharges: inpatient
-- encounters whose admission / discharge time falls on the day. Occupancy % is the
-- midnight census over staffed beds (AHA).

with encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

hospitals as (
    select * from {{ ref('stg_ehr__hospitals') }}
),

alerts as (
    select * from {{ ref('stg_streams__news2_alerts') }}
),

encounter_hospital as (
    select encounter_id, hospital_id from encounters
),

calendar as (
    select
        hospitals.hospital_id,
        hospitals.staffed_beds,
        cast(day as date) as kpi_date,
    from hospitals
    cross join (
        select unnest(generate_series(
            cast(min(admitted_at) as date),
            cast(max(coalesce(discharged_at, admitted_at)) as date),
            interval 1 day
        )) as day
        from encounters
    )
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
    select hospital_id, cast(admitted_at as date) as kpi_date, count(*) as admissions,
    from encounters
    group by all
),

discharges as (
    select hospital_id, cast(discharged_at as date) as kpi_date, count(*) as discharges,
    from encounters
    where discharged_at is not null
    group by all
),

alerts_raised as (
    select
        encounter_hospital.hospital_id,
        cast(alerts.raised_at as date) as kpi_date,
        count(*) as news2_alerts_raised,
    from alerts
    inner join encounter_hospital on encounter_hospital.encounter_id = alerts.encounter_id
    group by all
),

final as (
    select
        calendar.hospital_id,
        calendar.kpi_date,
        calendar.staffed_beds,
        census.midnight_census,
        round(100.0 * census.midnight_census / calendar.staffed_beds, 1) as occupancy_pct,
        coalesce(admissions.admissions, 0) as admissions,
        coalesce(discharges.discharges, 0) as discharges,
        coalesce(alerts_raised.news2_alerts_raised, 0) as news2_alerts_raised,
    from calendar
    inner join census using (hospital_id, kpi_date)
    left join admissions using (hospital_id, kpi_date)
    left join discharges using (hospital_id, kpi_date)
    left join alerts_raised using (hospital_id, kpi_date)
)

select * from final
order by hospital_id, kpi_date
