"""LACE index (van Walraven 2010): item boundaries and totals."""

from __future__ import annotations

import numpy as np
import pytest

from clinical.lace import (
    comorbidity_points,
    emergency_visit_points,
    lace_index,
    length_of_stay_points,
)


@pytest.mark.parametrize(
    ("days", "points"),
    [
        (0.0, 0),
        (0.99, 0),
        (1.0, 1),
        (2.5, 2),
        (3.9, 3),
        (4, 4),
        (6.99, 4),
        (7, 5),
        (13.9, 5),
        (14, 7),
        (60, 7),
    ],
)
def test_length_of_stay_boundaries(days: float, points: int) -> None:
    assert length_of_stay_points([days]).tolist() == [points]


@pytest.mark.parametrize(("charlson", "points"), [(0, 0), (1, 1), (3, 3), (4, 5), (9, 5)])
def test_comorbidity_boundaries(charlson: int, points: int) -> None:
    assert comorbidity_points([charlson]).tolist() == [points]


@pytest.mark.parametrize(("visits", "points"), [(0, 0), (3, 3), (4, 4), (11, 4)])
def test_emergency_visit_boundaries(visits: int, points: int) -> None:
    assert emergency_visit_points([visits]).tolist() == [points]


def test_totals_range_from_zero_to_nineteen() -> None:
    scores = lace_index([0.2, 20.0, 5.0], [False, True, True], [0, 7, 2], [0, 9, 1])
    assert scores.tolist() == [0, 19, 4 + 3 + 2 + 1]
    assert scores.dtype.kind == "i"


def test_negative_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="length of stay"):
        lace_index([-1.0], [True], [0], [0])
    with pytest.raises(ValueError, match="Charlson"):
        comorbidity_points(np.array([-1]))
