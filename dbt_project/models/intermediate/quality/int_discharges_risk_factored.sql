-- The case-mix risk factors of every discharge (deaths included) for the mortality risk
-- model of int_discharges_mortality_expected, as the summary hospital mortality
-- indicators define them (NHS Digital SHMI specification; Jarman et al. 1999, HSMR):
-- age band, sex, emergency admission (admission source not elective or planned),
-- Charlson comorbidity band and diagnosis group (the MS-DRG, standing in for SHMI's CCS
-- diagnosis group). Bands as clinical.mortality_risk.age_band / charlson_band.
-- One row per discharge.

with encounters as (
    select * from {{ ref('int_encounters_enriched') }}
),

final as (
    select
        encounter_id,
        hospital_id,
        discharge_date,
        cast(date_trunc('month', discharge_date) as date) as discharge_month,
        is_death,
        case
            when age_years is null then 'unknown'
            when age_years < 45 then '<45'
            when age_years < 55 then '45-54'
            when age_years < 65 then '55-64'
            when age_years < 75 then '65-74'
            when age_years < 85 then '75-84'
            else '85+'
        end as age_band,
        coalesce(sex, 'unknown') as sex,
        coalesce(admission_source not in ('elective', 'planned'), true) as is_emergency_admission,
        case
            when charlson_index is null then 'unknown'
            when charlson_index <= 2 then cast(charlson_index as varchar)
            when charlson_index <= 4 then '3-4'
            else '5+'
        end as charlson_band,
        coalesce(ms_drg_code, 'unknown') as diagnosis_group,
    from encounters
    where is_discharged
)

select * from final
