"""Sepsis screen (Sepsis-3 qSOFA plus lactate)."""

from __future__ import annotations

import numpy as np
import pytest

from clinical.sepsis import qsofa_arrays, screen, screen_arrays


@pytest.mark.parametrize(
    ("respiration_rate", "systolic_bp", "consciousness", "lactate", "positive"),
    [
        (16, 120, "A", None, False),
        (22, 120, "A", None, False),  # one criterion
        (22, 100, "A", None, True),  # boundaries are inclusive
        (21, 101, "C", None, False),
        (16, 95, "V", None, True),
        (22, 120, "A", 2.0, True),  # one criterion plus lactate >= 2
        (16, 120, "A", 4.0, False),  # lactate alone is not a positive qSOFA screen
        (22, 120, "A", float("nan"), False),  # no result: lactate not used
    ],
)
def test_screen(respiration_rate, systolic_bp, consciousness, lactate, positive) -> None:
    assert screen(respiration_rate, systolic_bp, consciousness, lactate) is positive


def test_qsofa_counts_each_criterion() -> None:
    points = qsofa_arrays(np.array([30, 10, 30]), np.array([90, 150, 150]), np.array([0, 1, 1]))
    assert points.tolist() == [3, 0, 1]
    assert screen_arrays(points).tolist() == [True, False, False]
