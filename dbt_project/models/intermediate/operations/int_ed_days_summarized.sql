-- ED throughput per hospital per day of arrival (CMS ED measures, see int_ed_visits_timed):
-- arrivals; medians of door to provider, arrival to departure for discharged (OP-18b) and
-- admitted (ED-1) patients, admit decision to departure (ED-2); LWBS % = left without
-- being seen / arrivals (OP-22); boarding hours = sum of admit decision to departure.

with ed_visits as (
    select * from {{ ref('int_ed_visits_timed') }}
),

final as (
    select
        hospital_id,
        arrival_date,
        count(*) as ed_arrivals,
        median(door_to_provider_minutes) as median_door_to_provider_minutes,
        median(arrival_to_departure_minutes) filter (where is_discharged_from_ed)
            as median_ed_length_of_stay_discharged_minutes,
        median(arrival_to_departure_minutes) filter (where is_admitted)
            as median_ed_length_of_stay_admitted_minutes,
        median(admit_decision_to_departure_minutes) as median_admit_decision_to_departure_minutes,
        100.0 * count(*) filter (where is_left_without_being_seen) / count(*) as lwbs_pct,
        coalesce(sum(admit_decision_to_departure_minutes) / 60.0, 0) as ed_boarding_hours,
    from ed_visits
    group by all
)

select * from final
