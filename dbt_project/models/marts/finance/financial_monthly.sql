-- Revenue cycle and cost per hospital, discharge month and payer (HFMA MAP Keys where
-- one exists; claims reported by the month of discharge, the service period).
-- CMI: mean MS-DRG relative weight of the discharges (CMS IPPS). Gross charges, expected
-- payments (contract), actual payments and contractual adjustments: sums over the
-- discharges' claims. Initial denial rate: initially denied / adjudicated original claims
-- (HFMA MAP Key); clean-claim rate: adjudicated original claims paid on first submission.
-- Net collection rate: payments / (charges - contractual adjustments) on adjudicated
-- claims (HFMA). Days in net A/R at month end: open claims' expected payments over the
-- average daily expected payments of the month's original claims (HFMA MAP Key).
-- Cost: nursing and supply cost of the hospital-month, allocated to payers by their share
-- of the discharges' patient days; operating margin on expected (accrual) payments;
-- payment per CMI-adjusted discharge: actual payments / (discharges x CMI).

with claims as (
    select * from {{ ref('int_claims_remitted') }}
),

all_claims as (
    select * from {{ ref('stg_revenue__claims') }}
),

remittances as (
    select * from {{ ref('stg_revenue__remittances') }}
),

stays as (
    select encounter_id, hospital_id, length_of_stay_days from {{ ref('int_encounters_enriched') }}
),

unit_costs as (
    select * from {{ ref('stg_operations__unit_costs_daily') }}
),

payer_months as (
    select
        claims.hospital_id,
        claims.discharge_month as finance_month,
        claims.payer_id,
        any_value(claims.payer_category) as payer_category,
        count(distinct claims.encounter_id) as discharges,
        avg(claims.ms_drg_relative_weight) as case_mix_index,
        sum(stays.length_of_stay_days) as patient_days,
        sum(claims.billed_amount_usd) as gross_charges_usd,
        sum(claims.expected_reimbursement_usd) as expected_payments_usd,
        sum(claims.paid_amount_usd) as actual_payments_usd,
        sum(claims.contractual_adjustment_usd) as contractual_adjustments_usd,
        count(claims.first_adjudicated_at) as adjudicated_claims,
        count(*) filter (where claims.is_initially_denied) as denials,
        count(*) filter (where not claims.is_initially_denied) as clean_claims,
        sum(claims.billed_amount_usd) filter (where claims.first_adjudicated_at is not null) as adjudicated_charges_usd,
    from claims
    left join stays on stays.encounter_id = claims.encounter_id
    group by all
),

denial_reasons as (
    select hospital_id, discharge_month as finance_month, payer_id,
        string_agg(denial_carc_code || ' (' || denials || ')', ', ' order by denials desc, denial_carc_code) as top_denial_reasons,
    from (
        select hospital_id, discharge_month, payer_id, denial_carc_code, count(*) as denials,
            row_number() over (partition by hospital_id, discharge_month, payer_id order by count(*) desc, denial_carc_code) as reason_rank,
        from claims
        where is_initially_denied
        group by hospital_id, discharge_month, payer_id, denial_carc_code
    )
    where reason_rank <= 3
    group by hospital_id, discharge_month, payer_id
),

claim_status as (
    select
        all_claims.claim_id, stays.hospital_id, all_claims.payer_id,
        all_claims.expected_reimbursement_usd, all_claims.submitted_at, remittances.adjudicated_at,
    from all_claims
    inner join stays on stays.encounter_id = all_claims.encounter_id
    left join remittances on remittances.claim_id = all_claims.claim_id
),

-- A claim is in A/R from submission to adjudication (a denial leaves it; a replacement
-- claim re-enters at its own submission).
open_claims as (
    select
        payer_months.hospital_id, payer_months.finance_month, payer_months.payer_id,
        coalesce(sum(claim_status.expected_reimbursement_usd), 0) as ar_balance_usd,
    from payer_months
    left join claim_status
        on claim_status.hospital_id = payer_months.hospital_id
        and claim_status.payer_id = payer_months.payer_id
        and claim_status.submitted_at < payer_months.finance_month + interval 1 month
        and (claim_status.adjudicated_at is null or claim_status.adjudicated_at >= payer_months.finance_month + interval 1 month)
    group by all
),

monthly_billing as (
    select hospital_id, cast(date_trunc('month', submitted_at) as date) as finance_month, payer_id,
        sum(expected_reimbursement_usd) as billed_expected_usd,
    from claims
    group by all
),

hospital_costs as (
    select hospital_id, cast(date_trunc('month', cost_date) as date) as finance_month,
        sum(nursing_cost_usd + supplies_cost_usd) as operating_cost_usd,
        sum(patient_days) as cost_patient_days,
    from unit_costs
    group by all
),

final as (
    select
        payer_months.hospital_id,
        payer_months.finance_month,
        payer_months.payer_id,
        payer_months.payer_category,
        payer_months.discharges,
        payer_months.case_mix_index,
        payer_months.gross_charges_usd,
        payer_months.expected_payments_usd,
        payer_months.actual_payments_usd,
        payer_months.contractual_adjustments_usd,
        payer_months.adjudicated_claims,
        payer_months.denials,
        100.0 * payer_months.denials / nullif(payer_months.adjudicated_claims, 0) as denial_rate_pct,
        denial_reasons.top_denial_reasons,
        100.0 * payer_months.clean_claims / nullif(payer_months.adjudicated_claims, 0) as clean_claim_rate_pct,
        open_claims.ar_balance_usd,
        open_claims.ar_balance_usd / nullif(monthly_billing.billed_expected_usd / day(last_day(payer_months.finance_month)), 0) as days_in_ar,
        100.0 * payer_months.actual_payments_usd
            / nullif(payer_months.adjudicated_charges_usd - payer_months.contractual_adjustments_usd, 0) as net_collection_rate_pct,
        hospital_costs.operating_cost_usd * payer_months.patient_days
            / nullif(sum(payer_months.patient_days) over hospital_month, 0) as allocated_cost_usd,
        allocated_cost_usd / nullif(payer_months.discharges, 0) as cost_per_case_usd,
        hospital_costs.operating_cost_usd / nullif(hospital_costs.cost_patient_days, 0) as cost_per_patient_day_usd,
        100.0 * (payer_months.expected_payments_usd - allocated_cost_usd)
            / nullif(payer_months.expected_payments_usd, 0) as operating_margin_pct,
        payer_months.actual_payments_usd
            / nullif(payer_months.discharges * payer_months.case_mix_index, 0) as payment_per_cmi_adjusted_discharge_usd,
    from payer_months
    left join denial_reasons using (hospital_id, finance_month, payer_id)
    left join open_claims using (hospital_id, finance_month, payer_id)
    left join monthly_billing using (hospital_id, finance_month, payer_id)
    left join hospital_costs using (hospital_id, finance_month)
    window hospital_month as (partition by payer_months.hospital_id, payer_months.finance_month)
)

select * from final
