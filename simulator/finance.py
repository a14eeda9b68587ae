"""Revenue cycle: claims per discharge and the payers' remittances.

A claim is submitted some days after discharge (coding and billing lag, the
"discharged not final billed" period). Expected reimbursement follows IPPS logic:
the payer's contracted base rate x the MS-DRG relative weight (self-pay: only the
share expected to be collected). Payers pay after a lognormal lag around their
median, or deny with a CARC reason code (X12 Claim Adjustment Reason Codes); most
denials are corrected and resubmitted as replacement claims (frequency code 7),
which are usually paid. Initial denial rate and days in A/R follow (HFMA MAP Keys).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.reference import PAYER_BY_CLASS

DAY_NS = 86_400_000_000_000
CHARGE_TO_PAYMENT = 3.6  # gross charges over Medicare payment (CMS cost-to-charge about 0.25)
MEDICARE_BASE = PAYER_BY_CLASS["medicare"].base_rate_usd
# CARC codes of initial denials and their relative frequency; the last two are final.
CARC = np.array(["CO-16", "CO-197", "CO-50", "CO-11", "CO-97", "CO-18", "CO-29"])
CARC_SHARE = np.array([0.30, 0.20, 0.15, 0.10, 0.10, 0.10, 0.05])
FINAL_DENIALS = {"CO-18", "CO-29"}
RESUBMISSION_SHARE = 0.8


def _adjudicate(
    rng: np.random.Generator, payer_class: np.ndarray, submitted_ns: np.ndarray, denial_scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(adjudicated ns, is_denied, CARC code or None) for claims of ``payer_class``."""
    n = len(payer_class)
    median = np.array([PAYER_BY_CLASS[p].median_payment_days for p in payer_class])
    denial = np.array([PAYER_BY_CLASS[p].denial_probability for p in payer_class]) * denial_scale
    lag = median * rng.lognormal(0, 0.35, n)
    denied = rng.random(n) < denial
    lag = np.where(denied, lag * 0.7, lag)  # denials come back sooner than payments
    carc = np.where(denied, rng.choice(CARC, n, p=CARC_SHARE), None)
    return submitted_ns + (lag * DAY_NS).astype(np.int64), denied, carc


def claims_and_remittances(
    rng: np.random.Generator, discharges: pd.DataFrame, end_ns: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``discharges``: encounter, patient_id, encounter_id, payer_class, ms_drg_code,
    ms_drg_weight, discharge_ns. Returns claims and remittances known by ``end_ns``."""
    n = len(discharges)
    payer_class = discharges["payer_class"].to_numpy()
    weight = discharges["ms_drg_weight"].to_numpy()
    base = np.array([PAYER_BY_CLASS[p].base_rate_usd for p in payer_class])
    collect = np.array([PAYER_BY_CLASS[p].collection_share for p in payer_class])
    expected = np.round(base * weight * collect, 2)
    billed = np.round(MEDICARE_BASE * weight * CHARGE_TO_PAYMENT * rng.lognormal(0, 0.25, n), 2)
    submitted = discharges["discharge_ns"].to_numpy() + (
        (2 + rng.gamma(2.0, 2.5, n)) * DAY_NS
    ).astype(np.int64)
    adjudicated, denied, carc = _adjudicate(rng, payer_class, submitted, 1.0)
    # Resubmission of correctable denials 5-25 days after the denial.
    resubmit = denied & ~np.isin(carc, list(FINAL_DENIALS)) & (rng.random(n) < RESUBMISSION_SHARE)
    re_submitted = adjudicated + (rng.uniform(5, 25, n) * DAY_NS).astype(np.int64)
    re_adjudicated, re_denied, re_carc = _adjudicate(rng, payer_class, re_submitted, 1.3)
    payer_id = np.array([PAYER_BY_CLASS[p].payer_id for p in payer_class])
    claim_id = np.array([f"C{i + 1:08d}" for i in range(n)])
    replacement_id = np.array([f"C{i + 1:08d}R" for i in range(n)])
    common = {
        "patient_id": discharges["patient_id"].to_numpy(),
        "encounter_id": discharges["encounter_id"].to_numpy(),
        "payer_id": payer_id,
        "payer_category": payer_class,
        "ms_drg_code": discharges["ms_drg_code"].to_numpy(),
        "billed_amount_usd": billed,
        "expected_reimbursement_usd": expected,
    }
    originals = pd.DataFrame(
        {"claim_id": claim_id, **common, "submitted_ns": submitted, "claim_frequency_code": "1"}
    )
    originals["original_claim_id"] = None
    replacements = pd.DataFrame(
        {
            "claim_id": replacement_id,
            **common,
            "submitted_ns": re_submitted,
            "claim_frequency_code": "7",
        }
    )[resubmit]
    replacements["original_claim_id"] = claim_id[resubmit]
    claims = pd.concat([originals, replacements], ignore_index=True)
    claims = claims[claims["submitted_ns"] < end_ns]

    paid = np.where(denied, 0.0, expected)
    re_paid = np.where(re_denied, 0.0, expected)
    remits = pd.concat(
        [
            pd.DataFrame(
                {
                    "claim_id": claim_id,
                    "payer_id": payer_id,
                    "adjudicated_ns": adjudicated,
                    "paid_amount_usd": paid,
                    "is_denied": denied,
                    "carc_code": carc,
                    "billed": billed,
                }
            ),
            pd.DataFrame(
                {
                    "claim_id": replacement_id,
                    "payer_id": payer_id,
                    "adjudicated_ns": re_adjudicated,
                    "paid_amount_usd": re_paid,
                    "is_denied": re_denied,
                    "carc_code": re_carc,
                    "billed": billed,
                }
            )[resubmit],
        ],
        ignore_index=True,
    )
    remits = remits[remits["adjudicated_ns"] < end_ns]
    remits["contractual_adjustment_usd"] = np.where(
        remits["is_denied"], 0.0, np.round(remits["billed"] - remits["paid_amount_usd"], 2)
    )
    remits = remits.drop(columns="billed")
    return (
        claims.sort_values(["submitted_ns", "claim_id"], kind="stable").reset_index(drop=True),
        remits.sort_values(["adjudicated_ns", "claim_id"], kind="stable").reset_index(drop=True),
    )
