-- Each charted observation set with what was known when it was charted: the encounter's
-- previous set (for trends), how many sets were charted in the last 12 h (charting more
-- often is itself a sign of concern), and the latest lactate, white cell count and
-- creatinine whose RESULT time is at or before the set (a specimen collected earlier but
-- not yet resulted is not known). Feeds ml.deterioration_features.

with vitals as (
    select * from {{ ref('stg_ehr__vitals') }}
),

labs as (
    select * from {{ ref('stg_ehr__lab_results') }}
),

observation_sets as (
    select
        vitals.*,
        lag(observed_at) over encounter_sets as previous_observed_at,
        lag(respiration_rate_per_minute) over encounter_sets as previous_respiration_rate_per_minute,
        lag(spo2_pct) over encounter_sets as previous_spo2_pct,
        lag(is_on_supplemental_oxygen) over encounter_sets as previous_is_on_supplemental_oxygen,
        lag(systolic_bp_mmhg) over encounter_sets as previous_systolic_bp_mmhg,
        lag(pulse_per_minute) over encounter_sets as previous_pulse_per_minute,
        lag(acvpu_code) over encounter_sets as previous_acvpu_code,
        lag(temperature_celsius) over encounter_sets as previous_temperature_celsius,
        count(*) over (
            partition by encounter_id order by observed_at
            range between interval 12 hour preceding and current row
        ) as observation_sets_12h,
    from vitals
    window encounter_sets as (partition by encounter_id order by observed_at, observation_id)
),

lactates as (
    select encounter_id, resulted_at, value_numeric from labs where loinc_code = '2524-7'
),

white_cells as (
    select encounter_id, resulted_at, value_numeric from labs where loinc_code = '6690-2'
),

creatinines as (
    select encounter_id, resulted_at, value_numeric from labs where loinc_code = '2160-0'
),

final as (
    select
        observation_sets.*,
        lactates.value_numeric as lactate_mmol_per_l,
        date_diff('minute', lactates.resulted_at, observation_sets.observed_at) / 60.0 as hours_since_lactate,
        white_cells.value_numeric as white_cell_count_10e3_per_ul,
        creatinines.value_numeric as creatinine_mg_per_dl,
    from observation_sets
    asof left join lactates
        on lactates.encounter_id = observation_sets.encounter_id
        and lactates.resulted_at <= observation_sets.observed_at
    asof left join white_cells
        on white_cells.encounter_id = observation_sets.encounter_id
        and white_cells.resulted_at <= observation_sets.observed_at
    asof left join creatinines
        on creatinines.encounter_id = observation_sets.encounter_id
        and creatinines.resulted_at <= observation_sets.observed_at
)

select * from final
