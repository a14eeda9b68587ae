-- Original inpatient claims with their adjudication, any replacement claim (UB-04
-- frequency 7, resubmitted after a denial) and its adjudication, one row per original
-- claim. The encounter's discharge month and MS-DRG weight come with it, so the financial
-- mart can report by discharge month (HFMA MAP Keys are reported by service period).

with claims as (
    select * from {{ ref('stg_revenue__claims') }}
),

remittances as (
    select * from {{ ref('stg_revenue__remittances') }}
),

encounters as (
    select * from {{ ref('stg_ehr__encounters') }}
),

originals as (
    select * from claims where claim_frequency_code = '1'
),

replacements as (
    select * from claims where claim_frequency_code = '7'
),

final as (
    select
        originals.claim_id,
        originals.encounter_id,
        encounters.hospital_id,
        originals.payer_id,
        originals.payer_category,
        cast(encounters.discharged_at as date) as discharge_date,
        cast(date_trunc('month', encounters.discharged_at) as date) as discharge_month,
        encounters.ms_drg_relative_weight,
        originals.billed_amount_usd,
        originals.expected_reimbursement_usd,
        originals.submitted_at,
        first_remittance.adjudicated_at as first_adjudicated_at,
        first_remittance.is_denied as is_initially_denied,
        first_remittance.carc_code as denial_carc_code,
        replacements.claim_id as replacement_claim_id,
        replacements.submitted_at as replacement_submitted_at,
        replacement_remittance.adjudicated_at as replacement_adjudicated_at,
        coalesce(first_remittance.paid_amount_usd, 0)
            + coalesce(replacement_remittance.paid_amount_usd, 0) as paid_amount_usd,
        coalesce(first_remittance.contractual_adjustment_usd, 0)
            + coalesce(replacement_remittance.contractual_adjustment_usd, 0) as contractual_adjustment_usd,
    from originals
    inner join encounters on encounters.encounter_id = originals.encounter_id
    left join remittances as first_remittance on first_remittance.claim_id = originals.claim_id
    left join replacements on replacements.original_claim_id = originals.claim_id
    left join remittances as replacement_remittance on replacement_remittance.claim_id = replacements.claim_id
)

select * from final
