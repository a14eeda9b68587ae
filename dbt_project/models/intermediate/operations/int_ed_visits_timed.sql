-- ED visits with the intervals of the CMS ED throughput measures, one row per ED visit:
-- door to provider (arrival to first provider contact, CMS OP-18 family / EDBA),
-- arrival to departure (CMS OP-18b for discharged patients, ED-1 for admitted ones),
-- admit decision to departure (CMS ED-2, the boarding interval; boarding hours are the
-- same interval in hours). Intervals not yet complete at the end of the data are null.

with ed_visits as (
    select * from {{ ref('stg_ehr__ed_visits') }}
),

final as (
    select
        ed_visit_id,
        patient_id,
        hospital_id,
        arrived_at,
        cast(arrived_at as date) as arrival_date,
        esi_level,
        disposition,
        coalesce(disposition = 'left_without_being_seen', false) as is_left_without_being_seen,
        coalesce(disposition = 'admitted', false) as is_admitted,
        coalesce(disposition = 'discharged', false) as is_discharged_from_ed,
        date_diff('microsecond', arrived_at, provider_seen_at) / 60000000.0 as door_to_provider_minutes,
        date_diff('microsecond', arrived_at, departed_at) / 60000000.0 as arrival_to_departure_minutes,
        case when disposition = 'admitted'
            then date_diff('microsecond', disposition_decided_at, departed_at) / 60000000.0
        end as admit_decision_to_departure_minutes,
    from ed_visits
)

select * from final
