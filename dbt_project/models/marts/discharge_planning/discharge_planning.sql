-- Discharge planning worklist: each live discharge with the model's 30-day readmission
-- risk and tier next to the LACE index (van Walraven 2010; high risk at LACE >= 10).
-- Tiers are set when scoring (ml.readmission.RiskTiers: medium from 10 %, high from
-- 20 % predicted risk). Only discharges the champion model scored appear.

with scores as (
    select * from {{ source('ml_scores', 'readmission_scores') }}
),

features as (
    select * from {{ ref('readmission_features') }}
),

hospitals as (
    select * from {{ ref('stg_ehr__hospitals') }}
),

final as (
    select
        scores.encounter_id,
        scores.patient_id,
        scores.hospital_id,
        hospitals.hospital_name,
        scores.discharged_at,
        cast(scores.discharged_at as date) as discharge_date,
        features.length_of_stay_days,
        features.is_emergent_admission,
        features.charlson_index,
        features.ed_visits_6_months,
        scores.lace_score,
        scores.is_lace_high_risk,
        scores.readmission_risk_30d,
        scores.risk_tier,
        scores.risk_tier = 'high' and not scores.is_lace_high_risk as is_high_risk_missed_by_lace,
        scores.model_name,
        scores.model_version,
        scores.scored_at,
    from scores
    inner join features on features.encounter_id = scores.encounter_id
    left join hospitals on hospitals.hospital_id = scores.hospital_id
)

select * from final
