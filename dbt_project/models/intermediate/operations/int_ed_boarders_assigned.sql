-- Boarding intervals of admitted ED patients, assigned to the inpatient unit they wait
-- for, one row per admitted ED visit. Boarding runs from the admit decision to ED
-- departure (the CMS ED-2 interval; ACEP's boarding definition); a patient still in the
-- ED at the end of the data is still boarding (no end). The unit waited for is the
-- admitting unit of the inpatient encounter the visit led to; a visit with no encounter
-- landed yet keeps its hospital but has no unit.

with ed_visits as (
    select * from {{ ref('stg_ehr__ed_visits') }}
),

encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

final as (
    select
        ed_visits.ed_visit_id,
        ed_visits.hospital_id,
        encounters.encounter_id,
        encounters.admitting_unit_id as unit_id,
        ed_visits.disposition_decided_at as boarding_started_at,
        ed_visits.departed_at as boarding_ended_at,
    from ed_visits
    left join encounters on encounters.ed_visit_id = ed_visits.ed_visit_id
    where ed_visits.disposition = 'admitted'
        and ed_visits.disposition_decided_at is not null
)

select * from final
