"""The LACE index for 30-day death or unplanned readmission after discharge.

van Walraven C, Dhalla IA, Bell C, et al. Derivation and validation of an index to
predict early death or unplanned readmission after discharge from hospital to the
community. CMAJ 2010;182(6):551-557. Four items, 0-19 points:

- **L**ength of stay (whole days): <1 → 0, 1 → 1, 2 → 2, 3 → 3, 4-6 → 4, 7-13 → 5, ≥14 → 7
- **A**cuity: emergent (unplanned) admission → 3
- **C**harlson comorbidity index: 0-3 → same, ≥4 → 5
- **E**mergency department visits in the 6 months before admission: 0-3 → same, ≥4 → 4

A score of 10 or more is the usual "high risk" cut-off. Vigil uses it as the baseline
the readmission model must beat.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

HIGH_RISK_THRESHOLD = 10


def length_of_stay_points(length_of_stay_days: npt.ArrayLike) -> np.ndarray:
    days = np.floor(np.asarray(length_of_stay_days, dtype=float))
    if np.any(days < 0) or np.any(np.isnan(days)):
        raise ValueError("length of stay must be a non-negative number of days")
    return np.select([days < 4, days < 7, days < 14], [days, 4, 5], default=7).astype(int)


def acuity_points(is_emergent_admission: npt.ArrayLike) -> np.ndarray:
    return np.where(np.asarray(is_emergent_admission, dtype=bool), 3, 0)


def comorbidity_points(charlson_index: npt.ArrayLike) -> np.ndarray:
    charlson = np.asarray(charlson_index, dtype=int)
    if np.any(charlson < 0):
        raise ValueError("Charlson comorbidity index cannot be negative")
    return np.where(charlson >= 4, 5, charlson)


def emergency_visit_points(ed_visits_6_months: npt.ArrayLike) -> np.ndarray:
    visits = np.asarray(ed_visits_6_months, dtype=int)
    if np.any(visits < 0):
        raise ValueError("emergency department visits cannot be negative")
    return np.minimum(visits, 4)


def lace_index(
    length_of_stay_days: npt.ArrayLike,
    is_emergent_admission: npt.ArrayLike,
    charlson_index: npt.ArrayLike,
    ed_visits_6_months: npt.ArrayLike,
) -> np.ndarray:
    """LACE score (0-19) per discharge; inputs are equal-length arrays or scalars."""
    return (
        length_of_stay_points(length_of_stay_days)
        + acuity_points(is_emergent_admission)
        + comorbidity_points(charlson_index)
        + emergency_visit_points(ed_visits_6_months)
    )
