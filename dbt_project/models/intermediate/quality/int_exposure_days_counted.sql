-- Patient days and device days per hospital per month, the denominators of the safety
-- and infection rates. NHSN convention: one per patient (or device in place) at each
-- midnight, attributed to the day the midnight ends; patients still in house (devices
-- still in place) count through the last midnight of the data.

with encounters as (
    select * from {{ ref('int_encounters_enriched') }}
),

line_episodes as (
    select * from {{ ref('stg_ehr__line_episodes') }}
),

adt_events as (
    select * from {{ ref('stg_ehr__adt_events') }}
),

data_end as (
    select max(cast(event_at as date)) + interval 1 day as last_midnight_at from adt_events
),

patient_days as (
    select encounters.hospital_id, cast(date_trunc('month', midnight - interval 1 day) as date) as quality_month, count(*) as patient_days,
    from encounters
    cross join data_end
    cross join unnest(generate_series(
        date_trunc('day', encounters.admitted_at) + interval 1 day,
        coalesce(encounters.discharged_at, data_end.last_midnight_at),
        interval 1 day
    )) as midnights(midnight)
    group by all
),

device_days as (
    select
        line_episodes.hospital_id,
        cast(date_trunc('month', midnight - interval 1 day) as date) as quality_month,
        count(*) filter (where line_episodes.device_type = 'central_line') as central_line_days,
        count(*) filter (where line_episodes.device_type = 'urinary_catheter') as urinary_catheter_days,
    from line_episodes
    cross join data_end
    cross join unnest(generate_series(
        date_trunc('day', line_episodes.inserted_at) + interval 1 day,
        coalesce(line_episodes.removed_at, data_end.last_midnight_at),
        interval 1 day
    )) as midnights(midnight)
    group by all
),

final as (
    select
        patient_days.hospital_id,
        patient_days.quality_month,
        patient_days.patient_days,
        coalesce(device_days.central_line_days, 0) as central_line_days,
        coalesce(device_days.urinary_catheter_days, 0) as urinary_catheter_days,
    from patient_days
    left join device_days using (hospital_id, quality_month)
)

select * from final
