"""Emergency department visits: triage, waits, decisions and dispositions.

ESI triage (Emergency Severity Index v4, AHRQ) follows a latent acuity that rises
with age and comorbidity, giving the national mix (NHAMCS: about 1 % ESI 1, 10 %
ESI 2, 45 % ESI 3, 35 % ESI 4, 9 % ESI 5). Waits to be seen grow with crowding
(arrivals in the trailing three hours against their expectation); patients with
ESI 3-5 whose patience runs out before a provider sees them leave without being seen
(LWBS, CMS OP-22). The admit decision depends on ESI; admitted patients leave the
ED when an inpatient bed is free (boarding), which the inpatient model decides.
"""

from __future__ import annotations

import numpy as np

MINUTE_NS = 60_000_000_000
# Latent acuity thresholds giving the ESI mix above (ESI 1 highest acuity).
ESI_THRESHOLDS = np.array([2.45, 1.35, -0.05, -1.25])
ADMIT_PROBABILITY = np.array([0.0, 0.72, 0.42, 0.14, 0.012, 0.003])  # by ESI 1-5
# Median minutes (lognormal) by ESI: door to provider, provider to decision.
DOOR_TO_PROVIDER = np.array([0.0, 2.0, 9.0, 22.0, 26.0, 24.0])
PROVIDER_TO_DECISION = np.array([0.0, 80.0, 150.0, 140.0, 80.0, 55.0])
PATIENCE_MEAN_MINUTES = 800.0
ARRIVAL_MODES = np.array(["walk_in", "ambulance", "helicopter", "police"])


def esi_levels(rng: np.random.Generator, age: np.ndarray, charlson: np.ndarray) -> np.ndarray:
    latent = rng.normal(0, 1, len(age)) + 0.018 * (age - 50) + 0.12 * charlson
    esi = np.full(len(age), 5, dtype=np.int64)
    for level, threshold in zip((4, 3, 2, 1), ESI_THRESHOLDS[::-1], strict=True):
        esi[latent > threshold] = level
    return esi


def ed_visit_times(
    rng: np.random.Generator,
    arrival_ns: np.ndarray,
    esi: np.ndarray,
    crowding: np.ndarray,
    admit_boost: np.ndarray,
) -> dict[str, np.ndarray]:
    """Times and tentative dispositions of ED visits (admitted ones still to be bedded)."""
    n = len(arrival_ns)
    crowd = np.clip(crowding, 0.3, 3.0) ** 1.6
    to_provider = DOOR_TO_PROVIDER[esi] * crowd * rng.lognormal(0, 0.7, n)
    to_decision = PROVIDER_TO_DECISION[esi] * rng.lognormal(0, 0.5, n)
    to_departure = 12.0 * rng.lognormal(0, 0.6, n)
    patience = rng.exponential(PATIENCE_MEAN_MINUTES, n)
    lwbs = (esi >= 3) & (patience < to_provider)
    roll = rng.random(n)
    admit_p = np.clip(ADMIT_PROBABILITY[esi] * admit_boost, 0, 0.95)
    admitted = ~lwbs & (roll < admit_p)
    rest = rng.random(n)
    transferred = ~lwbs & ~admitted & (rest < 0.012 + 0.05 * (esi <= 2))
    died = ~lwbs & ~admitted & ~transferred & (esi == 1) & (rest > 0.93)
    disposition = np.full(n, "discharged", dtype=object)
    disposition[admitted] = "admitted"
    disposition[transferred] = "transferred"
    disposition[died] = "died"
    disposition[lwbs] = "left_without_being_seen"
    provider_ns = arrival_ns + (to_provider * MINUTE_NS).astype(np.int64)
    decision_ns = provider_ns + (to_decision * MINUTE_NS).astype(np.int64)
    departure_ns = decision_ns + (to_departure * MINUTE_NS).astype(np.int64)
    departure_ns[lwbs] = arrival_ns[lwbs] + (patience[lwbs] * MINUTE_NS).astype(np.int64)
    mode_p = np.where(esi[:, None] <= 2, [[0.55, 0.42, 0.02, 0.01]], [[0.88, 0.11, 0.0, 0.01]])
    mode_index = (rng.random(n)[:, None] > np.cumsum(mode_p, axis=1)).sum(axis=1)
    return {
        "arrival_mode": ARRIVAL_MODES[np.minimum(mode_index, 3)],
        "provider_seen_ns": np.where(lwbs, -1, provider_ns),
        "decision_ns": np.where(lwbs, -1, decision_ns),
        "departure_ns": departure_ns,
        "disposition": disposition,
        "is_admitted": admitted,
    }
