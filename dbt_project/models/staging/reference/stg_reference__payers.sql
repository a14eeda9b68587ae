with source as (
    select * from {{ source('reference', 'payers') }}
),

final as (
    select
        cast(payer_id as varchar) as payer_id,
        cast(payer_name as varchar) as payer_name,
        cast(payer_class as varchar) as payer_class,
        cast(base_rate_usd as double) as base_rate_usd,
    from source
)

select * from final
