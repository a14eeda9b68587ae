"""Typed configuration of a simulated hospital network and its scenarios."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

SCENARIOS = ("baseline", "surge", "case_mix_drift", "device_drift", "interface_outage")


@dataclass(frozen=True)
class Scenario:
    """A named perturbation of the baseline network, active from ``start`` for ``days``."""

    name: str
    start: date
    days: int

    def __post_init__(self) -> None:
        if self.name not in SCENARIOS:
            raise ValueError(f"unknown scenario {self.name!r}; known: {', '.join(SCENARIOS)}")
        if self.days < 1:
            raise ValueError(f"scenario {self.name} must last at least 1 day, got {self.days}")


@dataclass(frozen=True)
class NetworkConfig:
    """What to simulate. Same config (seed included) gives byte-identical output."""

    hospitals: int = 2
    days: int = 30
    start: date = date(2025, 1, 1)
    seed: int = 7
    beds_per_hospital: int = 120
    target_occupancy: float = 0.75
    scenarios: tuple[Scenario, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.hospitals < 1:
            raise ValueError(f"hospitals must be at least 1, got {self.hospitals}")
        if self.days < 1:
            raise ValueError(f"days must be at least 1, got {self.days}")
        if self.beds_per_hospital < 10:
            raise ValueError(f"beds_per_hospital must be at least 10, got {self.beds_per_hospital}")
        if not 0.1 <= self.target_occupancy <= 0.99:
            raise ValueError(
                f"target_occupancy must be within 0.1-0.99, got {self.target_occupancy}"
            )

    @property
    def end(self) -> date:
        """First day after the simulated window."""
        return self.start + timedelta(days=self.days)

    def scenario(self, name: str) -> Scenario | None:
        """The active scenario called ``name``, if any."""
        return next((s for s in self.scenarios if s.name == name), None)


def parse_scenarios(spec: str, start: date, days: int) -> tuple[Scenario, ...]:
    """Parse ``NAME[@YYYY-MM-DD][:DAYS][,NAME...]``; the default start is mid-window.

    ``baseline`` is the unperturbed network and adds nothing. The default duration is
    to the end of the window (``interface_outage``: 1 day, the outage itself lasts hours).
    """
    scenarios = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, rest = item.partition("@")
        when, _, length = rest.partition(":") if rest else ("", "", "")
        if not rest and ":" in name:
            name, _, length = name.partition(":")
        begin = date.fromisoformat(when) if when else start + timedelta(days=days // 2)
        default_days = (
            1 if name == "interface_outage" else max((start + timedelta(days=days) - begin).days, 1)
        )
        scenario = Scenario(name, begin, int(length) if length else default_days)
        if name != "baseline":
            scenarios.append(scenario)
    return tuple(scenarios)
