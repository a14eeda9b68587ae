-- Unit stays derived from the ADT feed, one row per admission or transfer into a unit:
-- an A01 (admit) or A02 (transfer) event opens a stay on its unit; the encounter's next
-- A02 or A03 (discharge) closes it. A stay with no closing event is still in the unit.

with adt_events as (
    select * from {{ ref('stg_ehr__adt_events') }}
),

sequenced as (
    select
        adt_event_id,
        encounter_id,
        patient_id,
        hospital_id,
        unit_id,
        hl7_event_code,
        event_at,
        lead(event_at) over encounter_events as next_event_at,
        lead(hl7_event_code) over encounter_events as next_hl7_event_code,
    from adt_events
    window encounter_events as (partition by encounter_id order by event_at, adt_event_id)
),

final as (
    select
        adt_event_id as unit_stay_id,
        encounter_id,
        patient_id,
        hospital_id,
        unit_id,
        event_at as started_at,
        next_event_at as ended_at,
        hl7_event_code = 'A01' as is_admission,
        hl7_event_code = 'A02' as is_transfer_in,
        coalesce(next_hl7_event_code = 'A02', false) as is_transfer_out,
        coalesce(next_hl7_event_code = 'A03', false) as is_discharge,
    from sequenced
    where hl7_event_code in ('A01', 'A02')
)

select * from final
