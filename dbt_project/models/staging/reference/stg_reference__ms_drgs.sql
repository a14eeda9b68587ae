with source as (
    select * from {{ source('reference', 'ms_drgs') }}
),

final as (
    select
        cast(ms_drg_code as varchar) as ms_drg_code,
        cast(ms_drg_title as varchar) as ms_drg_title,
        cast(relative_weight as double) as relative_weight,
        cast(geometric_mean_los_days as double) as geometric_mean_los_days,
        cast(drg_type as varchar) as drg_type,
    from source
)

select * from final
