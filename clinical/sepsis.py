"""Sepsis screen: qSOFA criteria plus lactate, as a second early-warning alert type.

Source: Singer M, et al. *The Third International Consensus Definitions for Sepsis and
Septic Shock (Sepsis-3).* JAMA 2016;315(8):801-810. qSOFA scores one point each for
respiratory rate >= 22/min, systolic blood pressure <= 100 mmHg and altered mentation
(here: any ACVPU level other than A). Sepsis-3 names a serum lactate > 2 mmol/L as a
marker of hypoperfusion.

Vigil's screen is positive when qSOFA >= 2, or when qSOFA >= 1 with lactate >= 2 mmol/L
(lactate is used only when a result is present). The 2 mmol/L threshold is also the
CMS SEP-1 measure's (initial lactate > 2 mmol/L triggers a repeat), and a result counts
for the 6 hours after it is reported (the SEP-1 time window, CMS Specifications Manual
for National Hospital Inpatient Quality Measures). It is a screen that prompts a
bedside review, not a diagnosis.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

QSOFA_RESPIRATION_RATE = 22.0
QSOFA_SYSTOLIC_BP = 100.0
LACTATE_MMOL_L = 2.0
LACTATE_LOINC = "2524-7"  # Lactate [Moles/volume] in Serum or Plasma
LACTATE_UNIT = "mmol/L"
LACTATE_PLAUSIBLE_MAX = 30.0  # mmol/L; above it, a unit or transcription error
LACTATE_MAX_AGE = timedelta(hours=6)


def qsofa_arrays(
    respiration_rate: np.ndarray, systolic_bp: np.ndarray, alert: np.ndarray
) -> np.ndarray:
    """qSOFA points (0-3) per row; ``alert`` is True where consciousness is A."""
    return (
        (np.asarray(respiration_rate) >= QSOFA_RESPIRATION_RATE).astype(np.int8)
        + (np.asarray(systolic_bp) <= QSOFA_SYSTOLIC_BP).astype(np.int8)
        + (~np.asarray(alert, dtype=bool)).astype(np.int8)
    )


def screen_arrays(qsofa: np.ndarray, lactate: np.ndarray | None = None) -> np.ndarray:
    """True where the sepsis screen is positive (see the module docstring)."""
    positive = np.asarray(qsofa) >= 2
    if lactate is not None:
        lactate = np.asarray(lactate, dtype=float)
        high = np.nan_to_num(lactate, nan=0.0) >= LACTATE_MMOL_L
        positive = positive | ((np.asarray(qsofa) >= 1) & high)
    return positive


def screen(
    respiration_rate: float,
    systolic_bp: float,
    consciousness: str,
    lactate: float | None = None,
) -> bool:
    """Scalar form of :func:`screen_arrays` for one observation set."""
    points = qsofa_arrays(
        np.array([respiration_rate]), np.array([systolic_bp]), np.array([consciousness == "A"])
    )
    lactates = None if lactate is None else np.array([lactate])
    return bool(screen_arrays(points, lactates)[0])
