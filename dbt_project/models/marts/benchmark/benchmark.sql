-- Each hospital against the network and the nation, per metric per month.
-- Values: monthly, recomputed from the same definitions as the marts (medians from the
-- visits, rates from their counts). Network median and percentile rank (0 = lowest value,
-- 100 = highest) among the network's hospitals that month. National reference: the CMS
-- Care Compare national value (July 2024 release) where the metric has one. Flag: against
-- the national value when there is one, else the network median; "same" within 5 % of it,
-- else better / worse by the metric's direction (none when neither direction is better).

with metrics as (
    select * from {{ ref('benchmark__metrics') }}
),

national as (
    select * from {{ ref('int_cms_national_references_parsed') }}
),

quality as (
    select * from {{ ref('quality_monthly') }}
),

finance as (
    select * from {{ ref('financial_monthly') }}
),

encounters as (
    select * from {{ ref('int_encounters_enriched') }}
),

ed_visits as (
    select * from {{ ref('int_ed_visits_timed') }}
),

hospitals as (
    select * from {{ ref('stg_ehr__hospitals') }}
),

values_long as (
    unpivot (
        select
            quality.hospital_id,
            quality.quality_month as period_month,
            100.0 * quality.patient_days / (hospitals.staffed_beds * day(last_day(quality.quality_month))) as occupancy_pct,
            quality.readmission_rate_pct,
            quality.mortality_oe_ratio,
            quality.sepsis_lactate_within_3h_pct,
            quality.falls_per_1000_patient_days,
            quality.clabsi_per_1000_central_line_days,
            quality.cauti_per_1000_catheter_days,
        from quality
        inner join hospitals using (hospital_id)
    ) on columns(* exclude (hospital_id, period_month)) into name metric_id value metric_value
    union all
    unpivot (
        select hospital_id, cast(date_trunc('month', discharge_date) as date) as period_month,
            avg(length_of_stay_days) as alos_days,
            100.0 * count(*) filter (where is_discharged_before_noon) / count(*) as discharges_before_noon_pct,
        from encounters
        where is_discharged
        group by all
    ) on alos_days, discharges_before_noon_pct into name metric_id value metric_value
    union all
    unpivot (
        select hospital_id, cast(date_trunc('month', arrival_date) as date) as period_month,
            median(door_to_provider_minutes) as median_door_to_provider_minutes,
            median(arrival_to_departure_minutes) filter (where is_discharged_from_ed) as median_ed_length_of_stay_discharged_minutes,
            100.0 * count(*) filter (where is_left_without_being_seen) / count(*) as lwbs_pct,
        from ed_visits
        group by all
    ) on median_door_to_provider_minutes, median_ed_length_of_stay_discharged_minutes, lwbs_pct into name metric_id value metric_value
    union all
    unpivot (
        select hospital_id, finance_month as period_month,
            sum(case_mix_index * discharges) / sum(discharges) as case_mix_index,
            100.0 * sum(denials) / nullif(sum(adjudicated_claims), 0) as denial_rate_pct,
            sum(allocated_cost_usd) / sum(discharges) as cost_per_case_usd,
        from finance
        group by all
    ) on case_mix_index, denial_rate_pct, cost_per_case_usd into name metric_id value metric_value
),

compared as (
    select
        values_long.hospital_id,
        values_long.period_month,
        values_long.metric_id,
        metrics.metric_name,
        metrics.unit,
        metrics.is_lower_better,
        values_long.metric_value,
        median(values_long.metric_value) over network_month as network_median,
        100.0 * percent_rank() over (partition by values_long.metric_id, values_long.period_month order by values_long.metric_value) as network_percentile_rank,
        metrics.cms_measure_id,
        national.national_value,
        national.period_start_date as national_period_start_date,
        national.period_end_date as national_period_end_date,
        values_long.metric_value - lag(values_long.metric_value) over (
            partition by values_long.hospital_id, values_long.metric_id order by values_long.period_month
        ) as change_from_prior_period,
    from values_long
    inner join metrics on metrics.metric_id = values_long.metric_id
    left join national on national.measure_id = metrics.cms_measure_id
    where values_long.metric_value is not null
    window network_month as (partition by values_long.metric_id, values_long.period_month)
),

final as (
    select
        *,
        metric_value - national_value as gap_to_national,
        metric_value - network_median as gap_to_network_median,
        case
            when is_lower_better is null then null
            when abs(metric_value - coalesce(national_value, network_median)) <= 0.05 * abs(coalesce(national_value, network_median)) then 'same'
            when (metric_value < coalesce(national_value, network_median)) = is_lower_better then 'better'
            else 'worse'
        end as performance_flag,
        case when national_value is not null then 'national' else 'network_median' end as flag_reference,
    from compared
)

select * from final
