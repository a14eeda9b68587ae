-- Features for deterioration within 24 h, one row per charted observation set, as known
-- when the set was charted (the prediction time): the set, its trend and labs as of then
-- (ml.deterioration_observations), patient and unit, a sepsis already recognised. NEWS2
-- (RCP 2017) and its sub-scores are derived from these vitals in ml/deterioration.py by
-- clinical/news2.py, the one definition of the score. Only the label looks forward.
-- Label: a recorded deterioration event (rapid-response call, unplanned ICU transfer,
-- cardiac arrest, death) of the encounter within 24 h after the set. Sets charted at or
-- after the encounter's first such event are left out (no longer at risk of a first
-- deterioration). The label is mature once 24 h of data follow the set or the encounter
-- has ended.

with observations as (
    select * from {{ ref('deterioration_observations') }}
),

encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

patients as (
    select * from {{ ref('stg_ehr__patients') }}
),

units as (
    select * from {{ ref('stg_ehr__units') }}
),

clinical_events as (
    select * from {{ ref('stg_ehr__clinical_events') }}
),

data_end as (
    select max(observed_at) as data_end_at from observations
),

deteriorations as (
    select encounter_id, event_at
    from clinical_events
    where event_type in ('rapid_response', 'unplanned_icu_transfer', 'cardiac_arrest', 'death')
),

first_deteriorations as (
    select encounter_id, min(event_at) as first_event_at from deteriorations group by all
),

sepsis_recognitions as (
    select encounter_id, min(event_at) as recognised_at
    from clinical_events
    where event_type = 'sepsis'
    group by all
),

next_deteriorations as (
    select observations.observation_id, min(deteriorations.event_at) as next_event_at,
    from observations
    inner join deteriorations
        on deteriorations.encounter_id = observations.encounter_id
        and deteriorations.event_at > observations.observed_at
    group by all
),

final as (
    select
        observations.observation_id,
        observations.encounter_id,
        observations.patient_id,
        encounters.hospital_id,
        observations.unit_id,
        units.unit_type,
        observations.observed_at as predicted_at,
        patients.age_years,
        patients.sex,
        patients.primary_payer,
        encounters.acuity_level,
        date_diff('minute', encounters.admitted_at, observations.observed_at) / 60.0 as hours_since_admission,
        observations.respiration_rate_per_minute,
        observations.spo2_pct,
        observations.is_on_supplemental_oxygen,
        observations.systolic_bp_mmhg,
        observations.pulse_per_minute,
        observations.acvpu_code,
        observations.temperature_celsius,
        observations.spo2_scale,
        date_diff('minute', observations.previous_observed_at, observations.observed_at) / 60.0 as hours_since_previous_set,
        observations.previous_respiration_rate_per_minute,
        observations.previous_spo2_pct,
        observations.previous_is_on_supplemental_oxygen,
        observations.previous_systolic_bp_mmhg,
        observations.previous_pulse_per_minute,
        observations.previous_acvpu_code,
        observations.previous_temperature_celsius,
        observations.observation_sets_12h,
        observations.lactate_mmol_per_l,
        observations.hours_since_lactate,
        observations.white_cell_count_10e3_per_ul,
        observations.creatinine_mg_per_dl,
        coalesce(sepsis_recognitions.recognised_at <= observations.observed_at, false) as has_sepsis_recognised,
        date_diff('minute', observations.observed_at, next_deteriorations.next_event_at) / 60.0 as hours_to_deterioration,
        coalesce(next_deteriorations.next_event_at <= observations.observed_at + interval 24 hour, false) as is_deteriorated_24h,
        observations.observed_at + interval 24 hour <= (select data_end_at from data_end)
        or coalesce(encounters.discharged_at <= (select data_end_at from data_end), false) as is_label_mature,
    from observations
    inner join encounters on encounters.encounter_id = observations.encounter_id
    inner join patients on patients.patient_id = observations.patient_id
    left join units on units.unit_id = observations.unit_id
    left join first_deteriorations on first_deteriorations.encounter_id = observations.encounter_id
    left join sepsis_recognitions on sepsis_recognitions.encounter_id = observations.encounter_id
    left join next_deteriorations on next_deteriorations.observation_id = observations.observation_id
    where first_deteriorations.first_event_at is null
        or observations.observed_at < first_deteriorations.first_event_at
)

select * from final
