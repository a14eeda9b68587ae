with source as (
    select * from {{ source('external', 'weather_daily') }}
),

final as (
    select
        cast(hospital_id as varchar) as hospital_id,
        cast(weather_date as date) as weather_date,
        cast(mean_temperature_celsius as double) as mean_temperature_celsius,
        cast(max_temperature_celsius as double) as max_temperature_celsius,
    from source
)

select * from final
