"""What every adapter shares: reference tables, validation, landing, and the accounting.

An adapter turns a folder of source files into contract-shaped frames plus the
records it could not parse. :func:`finish` validates them against the contract,
writes the valid rows to the landing zone and every reject (parse or contract) to
the rejects table, and returns the counts: messages in = messages loaded + messages
rejected, and per table, records in = records loaded + records rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from contract.schema import TABLES_BY_NAME
from contract.validate import empty_rejects, validate
from ingest.derive import derive
from ingest.events import PLANNED_TRANSFERS, clinical_events_from_adt
from ingest.landing import write_rejects, write_tables

# Point-of-care names to unit types, as interface engines commonly spell them.
UNIT_TYPE_PATTERNS = (
    (r"\b(MICU|SICU|CCU|CVICU|NICU|PICU|ICU|ITU)\b", "icu"),
    (r"\b(SDU|PCU|STEP|STEPDOWN|IMC|HDU)\b", "stepdown"),
    (r"\b(L&D|LD|OB|MAT|MATERNITY|LABOR)\b", "maternity"),
)


def unit_type(point_of_care: str) -> str:
    """Guess an inpatient unit's type from its name (medsurg when nothing matches)."""
    name = re.sub(r"[-_/]", " ", point_of_care.upper())
    for pattern, kind in UNIT_TYPE_PATTERNS:
        if re.search(pattern, name):
            return kind
    return "medsurg"


def slug(text: object) -> str:
    """A safe id fragment: upper-case letters, digits and '&' (never '-', the unit separator)."""
    return re.sub(r"[^A-Z0-9&]+", "", str(text).upper()) or "UNKNOWN"


def derive_reference(
    adt_events: pd.DataFrame,
    vitals: pd.DataFrame,
    encounters: pd.DataFrame,
    hospital_names: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hospitals and units as observed in the events, when the hospital supplies none.

    Staffed beds are unknown from messages: the peak number of encounters present at
    once in the unit stands in (a lower bound). Hospitals should pass their own
    ``hospitals.csv`` and ``units.csv`` (``--reference``) for occupancy metrics.
    """
    # Units are where bed stays happen: the ADT events' units (visits' points of
    # care, such as the ED, are not inpatient units).
    unit_ids = adt_events.get("unit_id", pd.Series(dtype=str)).dropna()
    units = pd.DataFrame({"unit_id": pd.Series(sorted(set(unit_ids)), dtype="string")})
    parts = units["unit_id"].str.split("-", n=1)
    units["hospital_id"] = parts.str[0].astype("string")
    units["unit_type"] = parts.str[1].fillna("").map(unit_type).astype("string")
    peak = _peak_census(adt_events)
    units["staffed_beds"] = units["unit_id"].map(peak).fillna(1).clip(lower=1).astype("int64")
    hospital_ids = sorted(set(units["hospital_id"]) | set(encounters.get("hospital_id", [])))
    beds = units.groupby("hospital_id")["staffed_beds"].sum()
    hospitals = pd.DataFrame({"hospital_id": hospital_ids})
    names = hospital_names or {}
    hospitals["hospital_name"] = [names.get(h) or h for h in hospitals["hospital_id"]]
    hospitals["staffed_beds"] = (
        hospitals["hospital_id"].map(beds).fillna(1).clip(lower=1).astype("int64")
    )
    return hospitals, units


def _peak_census(adt_events: pd.DataFrame) -> dict[str, int]:
    """Peak simultaneous encounters per unit from the ADT events (in +1, out -1)."""
    if adt_events.empty:
        return {}
    events = adt_events.sort_values(["encounter_id", "event_at"], kind="stable").copy()
    events["next_unit"] = events.groupby("encounter_id")["unit_id"].shift(-1)
    events["next_at"] = events.groupby("encounter_id")["event_at"].shift(-1)
    stays = events[events["event_type"] != "A03"]
    moves = pd.concat(
        [
            pd.DataFrame({"unit_id": stays["unit_id"], "at": stays["event_at"], "delta": 1}),
            pd.DataFrame({"unit_id": stays["unit_id"], "at": stays["next_at"], "delta": -1}).dropna(
                subset=["at"]
            ),
        ]
    ).sort_values(["unit_id", "at", "delta"])
    moves["census"] = moves.groupby("unit_id")["delta"].cumsum()
    return moves.groupby("unit_id")["census"].max().astype(int).to_dict()


ACUITY_BY_UNIT_TYPE = {"icu": 2, "stepdown": 1}


def with_acuity(
    encounters: pd.DataFrame, adt_events: pd.DataFrame, units: pd.DataFrame
) -> pd.DataFrame:
    """Fill a missing acuity level from the stay's first unit: ICU 2, step-down 1, else 0.

    Messages carry no acuity; the unit a patient is first admitted to is the usual
    proxy (and the simulator's definition). Non-inpatient encounters stay null.
    """
    if encounters.empty or adt_events.empty:
        return encounters
    encounters = encounters.copy()
    if "acuity_level" not in encounters.columns:
        encounters["acuity_level"] = None
    first_unit = (
        adt_events.sort_values("event_at", kind="stable").groupby("encounter_id")["unit_id"].first()
    )
    unit_types = units.set_index("unit_id")["unit_type"]
    derived = (
        encounters["encounter_id"]
        .map(first_unit)
        .map(unit_types)
        .map(lambda kind: ACUITY_BY_UNIT_TYPE.get(kind, 0) if isinstance(kind, str) else None)
    )
    inpatient = encounters["encounter_type"].isin(["inpatient", "observation"])
    encounters["acuity_level"] = encounters["acuity_level"].where(
        encounters["acuity_level"].notna() | ~inpatient, derived
    )
    return encounters


def read_reference(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A hospital's own ``hospitals.csv`` and ``units.csv`` (contract columns)."""
    frames = []
    for name in ("hospitals", "units"):
        path = folder / f"{name}.csv"
        if not path.exists():
            raise FileNotFoundError(f"reference folder {folder} has no {name}.csv")
        frames.append(pd.read_csv(path, dtype=str))
    return frames[0], frames[1]


@dataclass
class IntakeResult:
    source: str
    messages_in: int
    messages_rejected: int
    tables_written: dict[str, int] = field(default_factory=dict)
    records_in: dict[str, int] = field(default_factory=dict)
    records_rejected: dict[str, int] = field(default_factory=dict)
    rejects_path: Path | None = None
    # Messages of kinds the contract does not cover (e.g. FHIR Practitioner): neither
    # loaded nor rejected. messages_in = loaded + rejected + skipped.
    messages_skipped: int = 0

    @property
    def messages_loaded(self) -> int:
        return self.messages_in - self.messages_rejected - self.messages_skipped

    def record(self) -> dict:
        """The batch's accounting as one row of ``intake_batches``."""
        return {
            "source": self.source,
            "loaded_at": pd.Timestamp.now(tz="UTC").tz_localize(None),
            "messages_in": self.messages_in,
            "messages_loaded": self.messages_loaded,
            "messages_rejected": self.messages_rejected,
            "messages_skipped": self.messages_skipped,
            "records_in": sum(self.records_in.values()),
            "records_loaded": sum(self.tables_written.values()),
            "records_rejected": sum(self.records_rejected.values()),
        }

    def summary(self) -> str:
        lines = [
            f"{self.source}: {self.messages_in:,} messages in, {self.messages_loaded:,} loaded, "
            f"{self.messages_rejected:,} rejected"
            + (
                f", {self.messages_skipped:,} skipped (not in the contract)"
                if self.messages_skipped
                else ""
            )
        ]
        for table, rows in self.records_in.items():
            lines.append(
                f"  {table:<16} {rows:>9,} records, {self.tables_written.get(table, 0):>9,} "
                f"loaded, {self.records_rejected.get(table, 0):>6,} rejected"
            )
        return "\n".join(lines)


# Above this share of rejected messages (or records), a load is suspect: an interface
# mapping is wrong or a feed is broken. Interface engines alert on similar error rates.
MAX_REJECT_RATE = 0.05


def reject_rates(batch: dict) -> dict[str, float]:
    """Message and record reject rates of an ``intake_batches`` row (0 when empty)."""
    considered = batch["messages_in"] - batch["messages_skipped"]
    return {
        "message_reject_rate": batch["messages_rejected"] / considered if considered else 0.0,
        "record_reject_rate": batch["records_rejected"] / batch["records_in"]
        if batch["records_in"]
        else 0.0,
    }


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every contract column of ``table`` (missing ones all null)."""
    missing = [c for c in TABLES_BY_NAME[table].column_names if c not in frame.columns]
    return frame.assign(**{column: None for column in missing}) if missing else frame


def empty_frame(table: str) -> pd.DataFrame:
    return pd.DataFrame(columns=list(TABLES_BY_NAME[table].column_names))


def finish(
    source: str,
    tables: dict[str, pd.DataFrame],
    parse_rejects: pd.DataFrame,
    messages_in: int,
    messages_rejected: int,
    landing_dir: Path,
    reference: Path | None = None,
    hospital_names: dict[str, str] | None = None,
) -> IntakeResult:
    """Validate, land and account for one adapter's batch."""
    tables = dict(tables)
    planned = tables.pop(PLANNED_TRANSFERS, None)
    for name in ("encounters", "adt_events", "vitals", "patients"):
        tables.setdefault(name, empty_frame(name))
    # Adapters build rows from whatever each message carried: a column no message
    # filled is still a column (null), never a missing one.
    tables = {name: conform(name, frame) for name, frame in tables.items()}
    tables = {name: conform(name, frame) for name, frame in derive(tables).items()}
    if reference is not None:
        tables["hospitals"], tables["units"] = read_reference(reference)
    else:
        tables["hospitals"], tables["units"] = derive_reference(
            tables["adt_events"], tables["vitals"], tables["encounters"], hospital_names
        )
    tables["encounters"] = with_acuity(tables["encounters"], tables["adt_events"], tables["units"])
    if "clinical_events" not in tables:  # what ADT states: deaths, unplanned ICU transfers
        events = clinical_events_from_adt(
            tables["encounters"], tables["adt_events"], tables["units"], planned
        )
        if not events.empty:
            tables["clinical_events"] = events
    result = validate(tables, source)
    written = write_tables(result.tables, landing_dir)
    rejects = pd.concat(
        [frame for frame in (parse_rejects, result.rejects) if not frame.empty]
        or [empty_rejects()],
        ignore_index=True,
    )
    path = write_rejects(rejects, landing_dir, source)
    return IntakeResult(
        source=source,
        messages_in=messages_in,
        messages_rejected=messages_rejected,
        tables_written=written,
        records_in=result.records_in,
        records_rejected=result.records_rejected,
        rejects_path=path,
    )
