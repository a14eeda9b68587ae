"""NEWS2 against the RCP 2017 chart: every band boundary of every parameter."""

from __future__ import annotations

import numpy as np
import pytest

from clinical.news2 import (
    PARAMETERS,
    Band,
    InvalidObservation,
    ObservationSet,
    score,
    score_arrays,
)

NORMAL = dict(
    respiration_rate=16,
    spo2=97,
    on_supplemental_oxygen=False,
    systolic_bp=120,
    pulse=70,
    consciousness="A",
    temperature=37.0,
)


def obs(**changes) -> ObservationSet:
    return ObservationSet(**{**NORMAL, **changes})


def test_normal_observations_score_zero() -> None:
    result = score(obs())
    assert result.total == 0
    assert result.band is Band.LOW


@pytest.mark.parametrize(
    ("value", "expected"),
    [(4, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (40, 3)],
)
def test_respiration_rate_bands(value, expected) -> None:
    assert score(obs(respiration_rate=value)).respiration_rate == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(85, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)],
)
def test_spo2_scale_1_bands(value, expected) -> None:
    assert score(obs(spo2=value)).spo2 == expected


@pytest.mark.parametrize(
    ("value", "oxygen", "expected"),
    [
        (83, False, 3),
        (84, False, 2),
        (85, False, 2),
        (86, False, 1),
        (87, False, 1),
        (88, False, 0),
        (92, False, 0),
        (93, False, 0),  # >= 93 on air scores 0 on scale 2
        (99, False, 0),
        (92, True, 0),
        (93, True, 1),
        (94, True, 1),
        (95, True, 2),
        (96, True, 2),
        (97, True, 3),
        (100, True, 3),
        (83, True, 3),
    ],
)
def test_spo2_scale_2_bands(value, oxygen, expected) -> None:
    result = score(obs(spo2=value, on_supplemental_oxygen=oxygen, spo2_scale=2))
    assert result.spo2 == expected


def test_supplemental_oxygen_scores_two() -> None:
    assert score(obs(on_supplemental_oxygen=True)).on_supplemental_oxygen == 2
    assert score(obs(on_supplemental_oxygen=False)).on_supplemental_oxygen == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [(70, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3)],
)
def test_systolic_bp_bands(value, expected) -> None:
    assert score(obs(systolic_bp=value)).systolic_bp == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (35, 3),
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
    ],
)
def test_pulse_bands(value, expected) -> None:
    assert score(obs(pulse=value)).pulse == expected


@pytest.mark.parametrize(("level", "expected"), [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)])
def test_consciousness(level, expected) -> None:
    assert score(obs(consciousness=level)).consciousness == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (34.0, 3),
        (35.0, 3),
        (35.1, 1),
        (36.0, 1),
        (36.1, 0),
        (38.0, 0),
        (38.1, 1),
        (39.0, 1),
        (39.1, 2),
        (41.0, 2),
    ],
)
def test_temperature_bands(value, expected) -> None:
    assert score(obs(temperature=value)).temperature == expected


@pytest.mark.parametrize(
    ("changes", "band"),
    [
        ({}, Band.LOW),
        ({"respiration_rate": 21, "pulse": 91, "temperature": 38.1}, Band.LOW),  # 2 + 1 + 1 = 4
        ({"consciousness": "C"}, Band.LOW_MEDIUM),  # a single 3, total 3
        ({"respiration_rate": 21, "pulse": 111, "temperature": 38.1}, Band.MEDIUM),  # 5
        ({"respiration_rate": 25, "spo2": 94, "temperature": 39.1}, Band.MEDIUM),  # 6
        ({"respiration_rate": 25, "spo2": 92, "pulse": 111}, Band.HIGH),  # 7
    ],
)
def test_clinical_risk_bands(changes, band) -> None:
    assert score(obs(**changes)).band is band


def test_total_is_sum_of_subscores() -> None:
    result = score(obs(respiration_rate=25, spo2=92, pulse=111, on_supplemental_oxygen=True))
    assert result.total == 3 + 2 + 2 + 2
    assert set(result.subscores) == set(PARAMETERS)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"temperature": 98.6}, "temperature"),  # Fahrenheit: wrong units
        ({"spo2": 101}, "spo2"),
        ({"pulse": -1}, "pulse"),
        ({"consciousness": "X"}, "consciousness"),
        ({"temperature": None}, "temperature is missing"),
        ({"spo2_scale": 3}, "spo2_scale"),
        ({"on_supplemental_oxygen": "yes"}, "on_supplemental_oxygen"),
    ],
)
def test_invalid_observations_are_rejected_with_a_reason(changes, message) -> None:
    with pytest.raises(InvalidObservation, match=message):
        score(obs(**changes))


def test_vectorised_kernel_matches_scalar_scorer() -> None:
    rng = np.random.default_rng(3)
    n = 5000
    columns = {
        "respiration_rate": rng.integers(4, 40, n).astype(float),
        "spo2": rng.integers(75, 101, n).astype(float),
        "on_supplemental_oxygen": rng.random(n) < 0.3,
        "systolic_bp": rng.integers(60, 240, n).astype(float),
        "pulse": rng.integers(30, 160, n).astype(float),
        "alert": rng.random(n) < 0.8,
        "temperature": np.round(rng.uniform(33.5, 41.0, n), 1),
        "spo2_scale_2": rng.random(n) < 0.2,
    }
    vector = score_arrays(**columns)
    for i in range(n):
        expected = score(
            ObservationSet(
                respiration_rate=columns["respiration_rate"][i],
                spo2=columns["spo2"][i],
                on_supplemental_oxygen=bool(columns["on_supplemental_oxygen"][i]),
                systolic_bp=columns["systolic_bp"][i],
                pulse=columns["pulse"][i],
                consciousness="A" if columns["alert"][i] else "V",
                temperature=columns["temperature"][i],
                spo2_scale=2 if columns["spo2_scale_2"][i] else 1,
            )
        )
        assert vector["total"][i] == expected.total
        assert vector["band"][i] == expected.band
        for name in PARAMETERS:
            assert vector[name][i] == expected.subscores[name], name
