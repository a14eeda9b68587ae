"""Live census and capacity of one hospital from ADT and ED events.

ADT events (HL7 v2 ADT: A01 admit, A02 transfer, A03 discharge) move encounters in and
out of units; a unit's census is the encounters in it, and its occupancy is census /
staffed beds. A capacity alert is raised when a unit's occupancy reaches
``occupancy_threshold`` (default 95 %, a common operational trigger; research on
hospital crowding puts the safety tipping point near 85-90 %: Bagust et al., BMJ 1999)
and re-armed when it falls below it again.

ED boarding (CMS ED-2, "admit decision time to ED departure time for admitted
patients"): an ED visit whose disposition is ``admitted`` boards from
``disposition_decided_at`` until it departs the ED; a boarding alert is raised once when
event time passes the decision plus ``boarding_limit`` (default 4 h) with the patient
still in the ED.

Event time is each event's ``event_at``; the hospital's clock is the latest event time
seen, so boarding alerts fire on the next event after the limit passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

ADMIT, TRANSFER, DISCHARGE = "A01", "A02", "A03"
ED_ADMIT_DECISION, ED_DEPARTURE = "ED_ADMIT_DECISION", "ED_DEPARTURE"
EVENT_TYPES = (ADMIT, TRANSFER, DISCHARGE, ED_ADMIT_DECISION, ED_DEPARTURE)


class InvalidEvent(ValueError):
    """An event the census cannot apply; the message says why."""


@dataclass
class HospitalCensus:
    """Census per unit and open ED boarders of one hospital."""

    staffed_beds: dict[str, int]
    occupancy_threshold: float = 0.95
    boarding_limit: timedelta = timedelta(hours=4)
    location: dict[str, str] = field(default_factory=dict)  # encounter -> unit
    census: dict[str, int] = field(default_factory=dict)
    over_threshold: set[str] = field(default_factory=set)
    boarding: dict[str, datetime] = field(default_factory=dict)  # ED visit -> decision
    clock: datetime | None = None

    def apply(self, event: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """Apply one event; return ``(kind, row)`` outputs: occupancy, capacity_alerts,
        boarding_alerts. Raises :class:`InvalidEvent` (state unchanged) for a bad event."""
        kind, at = event.get("event_type"), event.get("event_at")
        if kind not in EVENT_TYPES or at is None:
            raise InvalidEvent(f"malformed: event_type {kind!r} or event_at missing")
        if self.clock is not None and at < self.clock:
            raise InvalidEvent(f"late: older than {self.clock.isoformat()}")
        if kind in (ED_ADMIT_DECISION, ED_DEPARTURE):
            changed: list[str] = []
            self._ed(kind, event, at)
        else:
            changed = self._adt(kind, event)
        self.clock = at
        outputs = [("occupancy", self._occupancy(unit, at)) for unit in changed]
        outputs += [("capacity_alerts", row) for row in self._capacity(changed, at)]
        outputs += [("boarding_alerts", row) for row in self._boarders(at)]
        return outputs

    def _adt(self, kind: str, event: dict[str, Any]) -> list[str]:
        encounter, unit = event.get("encounter_id"), event.get("unit_id")
        if encounter is None:
            raise InvalidEvent("malformed: encounter_id missing")
        if kind in (ADMIT, TRANSFER) and unit not in self.staffed_beds:
            raise InvalidEvent(f"unknown unit {unit!r}")
        previous = self.location.get(encounter)
        if kind == ADMIT and previous is not None:
            raise InvalidEvent(f"encounter {encounter} admitted twice (in {previous})")
        if kind in (TRANSFER, DISCHARGE) and previous is None:
            raise InvalidEvent(f"encounter {encounter} is not in the hospital")
        changed = []
        if previous is not None:
            self.census[previous] -= 1
            del self.location[encounter]
            changed.append(previous)
        if kind != DISCHARGE:
            self.location[encounter] = unit
            self.census[unit] = self.census.get(unit, 0) + 1
            changed.append(unit)
        return changed

    def _ed(self, kind: str, event: dict[str, Any], at: datetime) -> None:
        visit = event.get("ed_visit_id")
        if visit is None:
            raise InvalidEvent("malformed: ed_visit_id missing")
        if kind == ED_ADMIT_DECISION:
            self.boarding[visit] = at
        else:
            self.boarding.pop(visit, None)

    def _occupancy(self, unit: str, at: datetime) -> dict[str, Any]:
        census = self.census.get(unit, 0)
        return {
            "unit_id": unit,
            "at": at,
            "census": census,
            "staffed_beds": self.staffed_beds[unit],
            "occupancy_pct": round(100 * census / self.staffed_beds[unit], 2),
        }

    def _capacity(self, units: list[str], at: datetime) -> list[dict[str, Any]]:
        alerts = []
        for unit in units:
            occupancy = self.census.get(unit, 0) / self.staffed_beds[unit]
            if occupancy >= self.occupancy_threshold and unit not in self.over_threshold:
                self.over_threshold.add(unit)
                alerts.append({**self._occupancy(unit, at), "alert_id": f"{unit}|{at.isoformat()}"})
            elif occupancy < self.occupancy_threshold:
                self.over_threshold.discard(unit)
        return alerts

    def _boarders(self, now: datetime) -> list[dict[str, Any]]:
        due = sorted(
            (decided, visit)
            for visit, decided in self.boarding.items()
            if now - decided > self.boarding_limit
        )
        for _, visit in due:
            del self.boarding[visit]
        return [
            {
                "alert_id": f"boarding|{visit}",
                "ed_visit_id": visit,
                "decided_at": decided,
                "alerted_at": decided + self.boarding_limit,
            }
            for decided, visit in due
        ]
