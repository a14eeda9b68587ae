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

RISK_FACTORS = ("age_band", "sex", "is_emergency_admission", "charlson_band", "diagnosis_group")
# Inverse L2 strength on the one-hot coefficients (the intercept is not penalized), as
# scikit-learn's ``C``: minimise C * log-loss + ||coefficients||^2 / 2.
INVERSE_PENALTY = 10.0
# Newton steps until no coefficient moves more than this: expected = observed to ~1e-10.
TOLERANCE = 1e-10
MAX_ITERATIONS = 100


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
    # Discharges sharing every risk factor share a probability: fit on the distinct
    # covariate patterns, weighted by their discharges and deaths (the same likelihood).
    features = design_matrix(discharges).to_numpy()
    patterns, pattern_of, discharges_per = np.unique(
        features, axis=0, return_inverse=True, return_counts=True
    )
    deaths_per = np.bincount(pattern_of.ravel(), weights=outcome, minlength=len(patterns))
    design = np.column_stack([np.ones(len(patterns)), patterns])
    return _fitted_probabilities(design, discharges_per, deaths_per)[pattern_of.ravel()]


def _fitted_probabilities(
    design: np.ndarray, discharges: np.ndarray, deaths: np.ndarray
) -> np.ndarray:
    """Penalized logistic regression by damped Newton steps (iteratively reweighted least
    squares with step halving) on binomial counts per covariate pattern; the first column
    is the unpenalized intercept. Plain numpy: the model is small (tens of indicators)
    and converges in a few exact steps."""
    penalty = np.full(design.shape[1], 1.0 / INVERSE_PENALTY)
    penalty[0] = 0.0

    def objective(weights: np.ndarray) -> float:
        logits = design @ weights
        loss = np.sum(discharges * np.logaddexp(0.0, logits) - deaths * logits)
        return float(loss) + 0.5 * float(penalty @ weights**2)

    weights = np.zeros(design.shape[1])
    rate = deaths.sum() / discharges.sum()
    weights[0] = np.log(rate / (1 - rate))
    current = objective(weights)
    for _ in range(MAX_ITERATIONS):
        probability = 1.0 / (1.0 + np.exp(-(design @ weights)))
        gradient = design.T @ (discharges * probability - deaths) + penalty * weights
        curvature = discharges * probability * (1 - probability)
        hessian = design.T @ (design * curvature[:, None]) + np.diag(penalty)
        step = np.linalg.lstsq(hessian, gradient, rcond=None)[0]
        scale = 1.0
        while scale > 1e-8 and objective(weights - scale * step) > current:
            scale /= 2
        weights = weights - scale * step
        current = objective(weights)
        if np.abs(scale * step).max() < TOLERANCE:
            break
    return 1.0 / (1.0 + np.exp(-(design @ weights)))
