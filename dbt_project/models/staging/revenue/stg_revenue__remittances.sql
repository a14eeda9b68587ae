with source as (
    select * from {{ source('revenue', 'remittances') }}
),

final as (
    select
        cast(remittance_id as varchar) as remittance_id,
        cast(claim_id as varchar) as claim_id,
        cast(payer_id as varchar) as payer_id,
        cast(paid_amount_usd as double) as paid_amount_usd,
        cast(is_denied as boolean) as is_denied,
        cast(carc_code as varchar) as carc_code,
        cast(contractual_adjustment_usd as double) as contractual_adjustment_usd,
        cast(adjudicated_at as timestamp) as adjudicated_at,
    from source
)

select * from final
