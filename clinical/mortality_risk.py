"""Expected in-hospital deaths from a fitted case-mix model, for the mortality O/E ratio.

The design follows the summary hospital mortality indicators: a logistic regression of
in-hospital death on the patient's case mix, fitted on every discharge of the network,
whose predicted probabilities summed per hospital and period are the expected deaths
(NHS Digital SHMI specification; Jarman et al., BMJ 1999, the HSMR). Risk factors here:
age band, sex, emergency admission, Charlson comorbidity band (SHMI's comorbidity
adjustment) and the diagnosis group, the MS-DRG standing in for SHMI's CCS diagnosis
group. CMS's own mortality measures use a hierarchical logistic regression with a
hospital random effect; a single-level model is the SHMI / HSMR choice.

The intercept is not penalized, so on the fitting population the expected deaths sum to
the observed ones (the intercept's score equation): the network's O/E ratio is 1 and each
hospital's ratio is read against the network. A mild L2 penalty on the other
coefficients keeps diagnosis groups with no deaths finite.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

RISK_FACTORS = ("age_band", "sex", "is_emergency_admission", "charlson_band", "diagnosis_group")
# Inverse L2 strength on the one-hot coefficients (the intercept is not penalized).
INVERSE_PENALTY = 10.0
# Tight enough that the expected total equals the observed one to ~1e-8.
TOLERANCE = 1e-10
MAX_ITERATIONS = 1_000


def age_band(age_years: float | None) -> str:
    """SHMI-style age bands (years)."""
    if age_years is None or pd.isna(age_years):
        return "unknown"
    for upper, label in ((45, "<45"), (55, "45-54"), (65, "55-64"), (75, "65-74"), (85, "75-84")):
        if age_years < upper:
            return label
    return "85+"


def charlson_band(charlson_index: float | None) -> str:
    """Charlson comorbidity index (Charlson 1987) grouped as 0, 1, 2, 3-4, 5+."""
    if charlson_index is None or pd.isna(charlson_index):
        return "unknown"
    if charlson_index <= 2:
        return str(int(charlson_index))
    return "3-4" if charlson_index <= 4 else "5+"


def design_matrix(discharges: pd.DataFrame) -> pd.DataFrame:
    """One indicator column per level of every risk factor (missing values a level)."""
    factors = discharges[list(RISK_FACTORS)].astype("string").fillna("unknown")
    return pd.get_dummies(factors, prefix_sep="=", dtype=float)


def expected_death_probability(discharges: pd.DataFrame, died: pd.Series) -> np.ndarray:
    """Fit the case-mix model on these discharges and return each one's death probability.

    ``discharges`` holds the :data:`RISK_FACTORS` columns, ``died`` whether each discharge
    was an in-hospital death. With no death (or no survivor) the probability is the
    observed rate, 0 or 1, as no model can be fitted.
    """
    outcome = died.astype(bool).to_numpy()
    if len(outcome) == 0:
        return np.zeros(0)
    if outcome.all() or not outcome.any():
        return np.full(len(outcome), float(outcome.mean()))
    # Newton steps converge to the optimum's precision (lbfgs stops ~1e-5 short).
    model = LogisticRegression(
        C=INVERSE_PENALTY, solver="newton-cholesky", tol=TOLERANCE, max_iter=MAX_ITERATIONS
    )
    features = design_matrix(discharges)
    model.fit(features.to_numpy(), outcome)
    return model.predict_proba(features.to_numpy())[:, 1]
