-- Clinical quality per hospital per month of discharge.
-- Readmissions: CMS Hospital-Wide All-Cause Unplanned Readmission logic (see
-- int_readmissions_linked): index admissions are live discharges, not AMA, not transferred
-- out, with 30 days of follow-up; the numerator counts indexes whose first readmission
-- within 30 days is unplanned; rate = numerator / index admissions (CMS HWR, crude,
-- all payers; months whose 30-day follow-up is not complete have fewer indexes).
-- Mortality: in-hospital deaths among the month's discharges; expected deaths by indirect
-- standardization (AHRQ IQI method, see int_discharges_mortality_expected); O/E ratio =
-- observed / expected deaths.

with hospitals as (
    select * from {{ ref('stg_ehr__hospitals') }}
),

readmissions as (
    select * from {{ ref('int_readmissions_linked') }}
),

mortality as (
    select * from {{ ref('int_discharges_mortality_expected') }}
),

months as (
    select distinct discharge_month from mortality
),

calendar as (
    select hospitals.hospital_id, months.discharge_month as quality_month,
    from hospitals
    cross join months
),

readmission_counts as (
    select
        hospital_id,
        discharge_month as quality_month,
        count(*) filter (where is_index_admission) as index_admissions,
        count(*) filter (where is_index_admission and is_unplanned_readmission_30d) as unplanned_readmissions_30d,
    from readmissions
    group by all
),

mortality_counts as (
    select
        hospital_id,
        discharge_month as quality_month,
        count(*) as discharges,
        count(*) filter (where is_death) as in_hospital_deaths,
        sum(expected_death_probability) as expected_deaths,
    from mortality
    group by all
),

final as (
    select
        calendar.hospital_id,
        calendar.quality_month,
        coalesce(mortality_counts.discharges, 0) as discharges,
        coalesce(readmission_counts.index_admissions, 0) as index_admissions,
        coalesce(readmission_counts.unplanned_readmissions_30d, 0) as unplanned_readmissions_30d,
        100.0 * readmission_counts.unplanned_readmissions_30d
            / nullif(readmission_counts.index_admissions, 0) as readmission_rate_pct,
        coalesce(mortality_counts.in_hospital_deaths, 0) as in_hospital_deaths,
        100.0 * mortality_counts.in_hospital_deaths
            / nullif(mortality_counts.discharges, 0) as mortality_rate_pct,
        mortality_counts.expected_deaths,
        mortality_counts.in_hospital_deaths
            / nullif(mortality_counts.expected_deaths, 0) as mortality_oe_ratio,
    from calendar
    left join readmission_counts using (hospital_id, quality_month)
    left join mortality_counts using (hospital_id, quality_month)
)

select * from final
