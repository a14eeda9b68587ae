"""The patient population each hospital serves: who comes, how often, how sick.

Each hospital has a pool of adults with a visit propensity (gamma-distributed, so a
few patients are frequent ED users, as in US ED utilisation studies). Payer follows
age as in the US: nearly everyone 65+ is on Medicare (CMS enrollment), under-65s
split between commercial cover, Medicaid and self-pay (Census CPS ASEC shares).
Comorbidity is the Charlson index (Charlson 1987), rising with age.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNDER_65_PAYERS = np.array(["commercial", "medicaid", "self_pay", "medicare"])
UNDER_65_SHARES = np.array([0.53, 0.28, 0.11, 0.08])
OVER_65_PAYERS = np.array(["medicare", "commercial", "medicaid"])
OVER_65_SHARES = np.array([0.92, 0.05, 0.03])


def draw_patients(
    rng: np.random.Generator,
    n: int,
    first_id: int,
    zip3: str,
    age_shift: float = 0.0,
    charlson_shift: float = 0.0,
    medicaid_shift: float = 0.0,
) -> pd.DataFrame:
    """``n`` new patients; the shifts make them older, sicker, more often on Medicaid."""
    # HIPAA safe harbor: ages over 89 are reported as 90.
    age = np.clip(18 + rng.gamma(2.2, 16.0, n) + age_shift, 18, 90).astype(np.int64)
    charlson = np.minimum(
        rng.poisson(0.15 + np.maximum(age - 40, 0) / 22 + charlson_shift), 12
    ).astype(np.int64)
    young_payer = rng.choice(UNDER_65_PAYERS, n, p=UNDER_65_SHARES)
    old_payer = rng.choice(OVER_65_PAYERS, n, p=OVER_65_SHARES)
    payer = np.where(age >= 65, old_payer, young_payer)
    if medicaid_shift > 0:
        payer = np.where(
            (payer == "commercial") & (rng.random(n) < medicaid_shift), "medicaid", payer
        )
    zip_offsets = rng.integers(0, 6, n)
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:07d}" for i in range(first_id, first_id + n)],
            "age_years": age,
            "sex": np.where(rng.random(n) < 0.53, "F", "M"),
            "charlson_index": charlson,
            "primary_payer": payer,
            "zip3": [f"{(int(zip3) + o) % 1000:03d}" for o in zip_offsets],
            # COPD with hypercapnia: NEWS2 SpO2 scale 2 (RCP 2017), more common when old.
            "spo2_scale": np.where(rng.random(n) < 0.01 + 0.02 * (age >= 60), 2, 1),
            "visit_propensity": rng.gamma(0.6, 1 / 0.6, n),
        }
    )
