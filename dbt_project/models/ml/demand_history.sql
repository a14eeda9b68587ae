-- Daily demand per hospital, the history the demand forecast learns from.
-- ed_arrivals: emergency department arrivals on the day (CMS ED throughput counts all
-- arrivals, including those who leave without being seen). midnight_census: inpatients
-- in house at 23:59:59 of the day (admitted before and not yet discharged), the census
-- definition of the AHA Annual Survey. The last day of data is partial and left out.

with encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

ed_visits as (
    select * from {{ ref('stg_ehr__ed_visits') }}
),

bounds as (
    select
        cast(min(admitted_at) as date) as first_date,
        cast(max(admitted_at) as date) - 1 as last_date,
    from encounters
),

hospitals as (
    select distinct hospital_id from encounters
),

calendar as (
    select
        hospitals.hospital_id,
        cast(day as date) as demand_date,
    from hospitals
    cross join bounds
    cross join generate_series(
        cast(bounds.first_date as timestamp), cast(bounds.last_date as timestamp), interval 1 day
    ) as days(day)
),

arrivals as (
    select
        hospital_id,
        cast(arrived_at as date) as demand_date,
        count(*) as ed_arrivals,
    from ed_visits
    group by all
),

census as (
    select
        calendar.hospital_id,
        calendar.demand_date,
        count(encounters.encounter_id) as midnight_census,
    from calendar
    left join encounters
        on encounters.hospital_id = calendar.hospital_id
        and encounters.admitted_at < calendar.demand_date + interval 1 day
        and (
            encounters.discharged_at is null
            or encounters.discharged_at >= calendar.demand_date + interval 1 day
        )
    group by all
),

final as (
    select
        calendar.hospital_id,
        calendar.demand_date,
        coalesce(arrivals.ed_arrivals, 0) as ed_arrivals,
        census.midnight_census,
    from calendar
    left join arrivals using (hospital_id, demand_date)
    inner join census using (hospital_id, demand_date)
)

select * from final
