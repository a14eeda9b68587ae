-- Expected in-hospital death of every discharge, by indirect standardization (the risk
-- adjustment of the AHRQ Inpatient Quality Indicators): the network-wide death rate of
-- the discharge's risk stratum (acuity level x age band x Charlson band) over all the
-- discharges in the data. Summed per hospital and month it gives the expected deaths
-- behind the mortality O/E ratio. One row per discharge (deaths included).

with encounters as (
    select * from {{ ref('int_encounters_enriched') }}
),

stratified as (
    select
        encounter_id,
        hospital_id,
        discharge_date,
        is_death,
        coalesce(acuity_level, -1) as acuity_level,
        case
            when age_years is null then 'unknown'
            when age_years < 50 then '<50'
            when age_years < 65 then '50-64'
            when age_years < 80 then '65-79'
            else '80+'
        end as age_band,
        case
            when charlson_index is null then 'unknown'
            when charlson_index = 0 then '0'
            when charlson_index <= 2 then '1-2'
            else '3+'
        end as charlson_band,
    from encounters
    where is_discharged
),

stratum_rates as (
    select
        acuity_level,
        age_band,
        charlson_band,
        avg(case when is_death then 1.0 else 0.0 end) as stratum_death_rate,
        count(*) as stratum_discharges,
    from stratified
    group by all
),

final as (
    select
        stratified.encounter_id,
        stratified.hospital_id,
        stratified.discharge_date,
        cast(date_trunc('month', stratified.discharge_date) as date) as discharge_month,
        stratified.is_death,
        stratified.acuity_level,
        stratified.age_band,
        stratified.charlson_band,
        stratum_rates.stratum_death_rate as expected_death_probability,
    from stratified
    inner join stratum_rates using (acuity_level, age_band, charlson_band)
)

select * from final
