with source as (
    select * from {{ source('revenue', 'claims') }}
),

final as (
    select
        cast(claim_id as varchar) as claim_id,
        cast(patient_id as varchar) as patient_id,
        cast(encounter_id as varchar) as encounter_id,
        cast(payer_id as varchar) as payer_id,
        cast(payer_category as varchar) as payer_category,
        cast(ms_drg_code as varchar) as ms_drg_code,
        cast(billed_amount_usd as double) as billed_amount_usd,
        cast(expected_reimbursement_usd as double) as expected_reimbursement_usd,
        cast(submitted_at as timestamp) as submitted_at,
        cast(claim_frequency_code as varchar) as claim_frequency_code,
        cast(original_claim_id as varchar) as original_claim_id,
    from source
)

select * from final
