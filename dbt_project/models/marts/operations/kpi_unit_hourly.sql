{{ config(unique_key=['unit_id', 'hour_start_at']) }}
-- Unit flow per hour, rebuilt per landing day (incremental).
-- Census: patients on the unit at the top of the hour (a stay that began at or before it
-- and had not ended), the hourly census of bed management (AHRQ patient-flow toolkit).
-- Occupancy %: census over the unit's staffed beds. Admissions, transfers in, transfers
-- out and discharges: ADT events (HL7 A01, A02, A03) on the unit during the hour.
-- Boarders: admitted ED patients waiting in the ED for a bed on the unit at the top of
-- the hour, between admit decision and ED departure (the CMS ED-2 interval; ACEP
-- boarding), see int_ed_boarders_assigned.
-- Census and boarders are running sums of intervals opened minus intervals closed, so
-- each hour costs the same however long the stays are.

with unit_stays as (
    select * from {{ ref('int_unit_stays_derived') }}
),

units as (
    select * from {{ ref('stg_ehr__units') }}
),

boarders as (
    select * from {{ ref('int_ed_boarders_assigned') }}
),

bounds as (
    select
        date_trunc('day', min(started_at)) as first_hour_at,
        date_trunc('day', max(greatest(started_at, coalesce(ended_at, started_at)))) + interval 23 hour as last_hour_at,
    from unit_stays
),

hours as (
    select unnest(generate_series(first_hour_at, last_hour_at, interval 1 hour)) as hour_start_at
    from bounds
),

calendar as (
    select units.unit_id, units.hospital_id, units.unit_type, units.staffed_beds, hours.hour_start_at,
    from units
    cross join hours
),

-- Patients (and boarders) start or stop counting at the first top of the hour at or
-- after the time they arrive (or leave).
changes as (
    select unit_id, {{ next_top_of_hour('started_at') }} as hour_start_at, 1 as census_change, 0 as boarders_change,
    from unit_stays
    union all
    select unit_id, {{ next_top_of_hour('ended_at') }} as hour_start_at, -1 as census_change, 0 as boarders_change,
    from unit_stays
    where ended_at is not null
    union all
    select unit_id, {{ next_top_of_hour('boarding_started_at') }} as hour_start_at, 0 as census_change, 1 as boarders_change,
    from boarders
    where unit_id is not null
    union all
    select unit_id, {{ next_top_of_hour('boarding_ended_at') }} as hour_start_at, 0 as census_change, -1 as boarders_change,
    from boarders
    where unit_id is not null and boarding_ended_at is not null
),

hourly_changes as (
    select unit_id, hour_start_at, sum(census_change) as census_change, sum(boarders_change) as boarders_change,
    from changes
    group by all
),

movements as (
    select
        unit_id,
        date_trunc('hour', started_at) as hour_start_at,
        count(*) filter (where is_admission) as admissions,
        count(*) filter (where is_transfer_in) as transfers_in,
        0 as transfers_out,
        0 as discharges,
    from unit_stays
    group by all
    union all
    select
        unit_id,
        date_trunc('hour', ended_at) as hour_start_at,
        0 as admissions,
        0 as transfers_in,
        count(*) filter (where is_transfer_out) as transfers_out,
        count(*) filter (where is_discharge) as discharges,
    from unit_stays
    where ended_at is not null
    group by all
),

hourly_movements as (
    select unit_id, hour_start_at,
        sum(admissions) as admissions,
        sum(transfers_in) as transfers_in,
        sum(transfers_out) as transfers_out,
        sum(discharges) as discharges,
    from movements
    group by all
),

census as (
    select
        calendar.unit_id,
        calendar.hour_start_at,
        sum(coalesce(hourly_changes.census_change, 0)) over running_total as census,
        sum(coalesce(hourly_changes.boarders_change, 0)) over running_total as boarders,
    from calendar
    left join hourly_changes using (unit_id, hour_start_at)
    window running_total as (
        partition by calendar.unit_id order by calendar.hour_start_at
        rows between unbounded preceding and current row
    )
),

final as (
    select
        calendar.unit_id,
        calendar.hour_start_at,
        calendar.hospital_id,
        calendar.unit_type,
        calendar.staffed_beds,
        cast(census.census as integer) as census,
        100.0 * census.census / calendar.staffed_beds as occupancy_pct,
        cast(coalesce(hourly_movements.admissions, 0) as integer) as admissions,
        cast(coalesce(hourly_movements.transfers_in, 0) as integer) as transfers_in,
        cast(coalesce(hourly_movements.transfers_out, 0) as integer) as transfers_out,
        cast(coalesce(hourly_movements.discharges, 0) as integer) as discharges,
        cast(census.boarders as integer) as boarders,
    from calendar
    inner join census using (unit_id, hour_start_at)
    left join hourly_movements using (unit_id, hour_start_at)
    where {{ in_landing_days('cast(calendar.hour_start_at as date)') }}
)

select * from final
