"""Intake throughput per format, against the direct path measured in the same run.

A simulated network is written out as HL7 v2 messages (ADT with DG1 and IN1 + ORU^R01,
ED visits as A04/A03), FHIR R4 NDJSON and Synthea CSV (SNOMED CT conditions), then
loaded back by each adapter.
The baseline is the direct path for the same rows: validating the simulator's core
tables and ED visits against the contract and landing them. HL7 v2 is measured with
each parser available (hl7apy always; python-hl7 when importable). Prints the median of
--repeats runs, messages per second and the time relative to the baseline.

    .venv/bin/python benchmarks/bench_ingest.py [--days 1] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd

from contract.schema import CORE_TABLES
from contract.validate import validate
from ingest import hl7v2_message
from ingest.export_fhir import to_ndjson
from ingest.export_hl7v2 import to_messages
from ingest.export_synthea import write_synthea
from ingest.fhir import ingest_fhir
from ingest.hl7v2 import ingest_hl7v2
from ingest.landing import write_tables
from ingest.pseudonym import Pseudonymizer
from ingest.synthea import ingest_synthea
from simulator.config import NetworkConfig
from simulator.network import simulate


def to_synthea(tables: dict[str, pd.DataFrame], folder: Path) -> int:
    """The core tables as a Synthea CSV v3 export (``ingest.export_synthea``: patients,
    encounters, SNOMED CT conditions, observations, payers, organizations); rows written."""
    write_synthea(tables, folder)
    return sum(len(pd.read_csv(path)) for path in folder.glob("*.csv"))


def median_seconds(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1, help="simulated days (default 1)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure (default 3)")
    args = parser.parse_args()
    tables = simulate(NetworkConfig(hospitals=1, days=args.days, start=date(2025, 1, 6), seed=5))
    core = {name: tables[name] for name in (*CORE_TABLES, "ed_visits")}
    records = sum(len(frame) for frame in core.values())
    pseudonymize = Pseudonymizer("benchmark-pseudonym-key-000")
    with tempfile.TemporaryDirectory(prefix="vigil-bench-ingest-") as tmp:
        work = Path(tmp)
        hl7_path = work / "feed.hl7"
        messages = to_messages(core)
        hl7_path.write_text("\r".join(messages))
        fhir_path = work / "export.ndjson"
        fhir_path.write_text(to_ndjson(core))
        fhir_count = fhir_path.read_text().count("\n")
        synthea_rows = to_synthea(core, work / "synthea")

        def direct() -> None:
            write_tables(validate(core, "simulator").tables, work / "direct")

        baseline = median_seconds(direct, args.repeats)
        print(f"simulated 1 hospital x {args.days} day(s): {records:,} core records")
        print(
            f"{'direct path (validate + land)':<34} {baseline:8.2f} s  "
            f"{records / baseline:10,.0f} records/s   1.0x"
        )
        parsers = list(hl7v2_message.PARSERS)

        def hl7_with(parser: str) -> Callable[[], object]:
            def run() -> object:
                hl7v2_message.PARSER = parser
                return ingest_hl7v2(hl7_path, work / "h", pseudonymize)

            return run

        for name, count, run in (
            *((f"hl7v2, {p} (ADT + ORU^R01)", len(messages), hl7_with(p)) for p in parsers),
            (
                "fhir (NDJSON resources)",
                fhir_count,
                lambda: ingest_fhir(fhir_path, work / "f", pseudonymize),
            ),
            (
                "synthea (CSV rows)",
                synthea_rows,
                lambda: ingest_synthea(work / "synthea", work / "s", pseudonymize),
            ),
        ):
            seconds = median_seconds(run, args.repeats)
            print(
                f"{name:<34} {seconds:8.2f} s  {count / seconds:10,.0f} messages/s "
                f"({count:,} messages)  {seconds / baseline:6.1f}x the direct path"
            )


if __name__ == "__main__":
    main()
