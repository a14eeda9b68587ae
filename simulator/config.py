"""Typed configuration of a simulated hospital network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NetworkConfig:
    """What to simulate. Same config (seed included) gives byte-identical output."""

    hospitals: int = 2
    days: int = 30
    start: date = date(2025, 1, 1)
    seed: int = 7
    beds_per_hospital: int = 120
    target_occupancy: float = 0.75

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
