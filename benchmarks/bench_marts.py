"""Benchmark the marts: full dbt build time and each mart's stakeholder query p95.

Simulates the network (default 5 hospitals x 365 days) into a scratch VIGIL_HOME, loads
the raw feeds with the raw assets' loaders, then times
  * the dbt build of every mart and everything upstream (models, seeds, tests), against
    a baseline measured in the same run: dbt's fixed cost (one staging view);
  * each mart's typical stakeholder query (one hospital, one year), p50 and p95 over
    repeated runs, against `select 1` on the same connection.
Goals (issue 4): build <= 60 s, each query p95 <= 50 ms. Prints figures, asserts nothing.

    uv run python benchmarks/bench_marts.py [--hospitals 5] [--days 365] [--home DIR]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from simulator.config import NetworkConfig
from tests.marts.warehouse import MARTS, dbt, land, load_raw
from vigil.settings import Settings

QUERIES = {
    "kpi_daily": "select * from marts.kpi_daily where hospital_id = 'H01' "
    "and kpi_date between '2025-01-01' and '2025-12-31' order by kpi_date",
    "kpi_unit_hourly": "select unit_id, date_trunc('day', hour_start_at) as day, max(census), "
    "avg(occupancy_pct) from marts.kpi_unit_hourly where hospital_id = 'H01' and "
    "hour_start_at >= '2025-01-01' and hour_start_at < '2026-01-01' group by all order by all",
    "quality_monthly": "select * from marts.quality_monthly where hospital_id = 'H01' "
    "and quality_month between '2025-01-01' and '2025-12-01' order by quality_month",
    "financial_monthly": "select * from marts.financial_monthly where hospital_id = 'H01' "
    "and finance_month between '2025-01-01' and '2025-12-01' order by finance_month, payer_id",
    "benchmark": "select * from marts.benchmark where hospital_id = 'H01' "
    "and period_month between '2025-01-01' and '2025-12-01' order by metric_id, period_month",
}


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def dbt_ok(settings: Settings, *args: str) -> None:
    result = dbt(settings, *args)
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.stdout[-3000:]}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hospitals", type=int, default=5)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--home", help="scratch VIGIL_HOME (default: a new temporary folder)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the landed and loaded feeds in --home"
    )
    args = parser.parse_args()
    home = Path(args.home or tempfile.mkdtemp(prefix="vigil-bench-marts-"))
    settings = Settings(home=home)
    config = NetworkConfig(hospitals=args.hospitals, days=args.days, start=date(2025, 1, 1))

    print(f"network: {args.hospitals} hospitals x {args.days} days, home {home}")
    if not args.reuse:
        print(f"simulate + NEWS2 stream: {timed(lambda: land(settings, config)):.1f} s")
        print(f"load raw feeds:          {timed(lambda: load_raw(settings)):.1f} s")
    dbt_ok(settings, "parse")
    baseline = timed(
        lambda: dbt_ok(
            settings, "build", "--select", "stg_ehr__hospitals", "--indirect-selection", "cautious"
        )
    )
    selection = " ".join(f"+{mart}" for mart in MARTS)
    build = timed(
        lambda: dbt_ok(settings, "build", "--select", selection, "--indirect-selection", "cautious")
    )
    print(f"dbt fixed cost (baseline, one view + its tests): {baseline:.1f} s")
    print(f"dbt build of the marts and upstream (models, seeds, tests): {build:.1f} s")
    print(f"  ratio to baseline {build / baseline:.1f}x; goal 60 s -> {build / 60:.2f} of budget")

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        rows = {
            mart: connection.execute(f"select count(*) from marts.{mart}").fetchone()[0]
            for mart in QUERIES
        }
        base = []
        for _ in range(args.repeats):
            base.append(timed(lambda: connection.execute("select 1").fetchall()))
        base_p50 = statistics.median(base) * 1000
        print(
            f"\nquery latency, {args.repeats} runs each (baseline `select 1` p50 {base_p50:.2f} ms)"
        )
        print(f"{'mart':<20}{'rows':>10}{'p50 ms':>10}{'p95 ms':>10}{'x base':>10}")
        for mart, sql in QUERIES.items():
            connection.execute(sql).fetchall()  # warm
            runs = [
                timed(lambda sql=sql: connection.execute(sql).fetchall())
                for _ in range(args.repeats)
            ]
            p50, p95 = statistics.median(runs) * 1000, percentile(runs, 0.95) * 1000
            print(f"{mart:<20}{rows[mart]:>10,}{p50:>10.2f}{p95:>10.2f}{p50 / base_p50:>10.1f}")

        print_network_metrics(connection)


# Network-level values of the calibrated metrics (2025, every hospital), each next to its
# CMS Care Compare national reference (July 2024 seeds) where one exists.
NETWORK_METRICS = {
    "HWR unplanned 30-day readmission rate % (READM_30_HOSP_WIDE 14.6)": (
        "select 100.0 * sum(unplanned_readmissions_30d) / sum(index_admissions) "
        "from marts.quality_monthly"
    ),
    "first readmissions planned by the PAA v4.0 (count)": (
        "select count(*) from intermediate.int_readmissions_linked "
        "where is_index_admission and is_first_readmission_planned"
    ),
    "median ED arrival to departure, discharged, min (OP_18b 163)": (
        "select median(arrival_to_departure_minutes) from intermediate.int_ed_visits_timed "
        "where is_discharged_from_ed"
    ),
    "left without being seen % (OP_22 3)": (
        "select 100.0 * avg(is_left_without_being_seen::int) from intermediate.int_ed_visits_timed"
    ),
    "in-hospital mortality %": (
        "select 100.0 * sum(in_hospital_deaths) / sum(discharges) from marts.quality_monthly"
    ),
    "network O/E (1 by construction) / hospital O/E min / max": (
        "with h as (select hospital_id, sum(in_hospital_deaths) / sum(expected_deaths) as oe "
        "from marts.quality_monthly group by 1) select (select sum(in_hospital_deaths) / "
        "sum(expected_deaths) from marts.quality_monthly), min(oe), max(oe) from h"
    ),
    "median minutes to NEWS2 acknowledgement (RCP 2017: high 30, medium 60 max)": (
        "select median(median_news2_minutes_to_acknowledgement) from marts.kpi_daily"
    ),
    "NEWS2 alerts acknowledged % / escalated %": (
        "select 100.0 * sum(news2_alerts_acknowledged) / sum(news2_alerts_raised), "
        "100.0 * sum(news2_alerts_escalated) / sum(news2_alerts_raised) from marts.kpi_daily"
    ),
    "mean / max ED boarders per unit-hour (units taking ED admissions)": (
        "select avg(boarders), max(boarders) from marts.kpi_unit_hourly "
        "where unit_id in (select distinct unit_id from marts.kpi_unit_hourly where boarders > 0)"
    ),
    "occupancy % / ALOS d": (
        "select 100.0 * sum(midnight_census) / sum(staffed_beds), "
        "sum(alos_days * discharges) / sum(discharges) from marts.kpi_daily"
    ),
}


def print_network_metrics(connection: duckdb.DuckDBPyConnection) -> None:
    print("\nnetwork metrics (CMS national reference in brackets)")
    for label, sql in NETWORK_METRICS.items():
        values = connection.execute(sql).fetchone()
        shown = " / ".join("-" if v is None else f"{v:,.2f}" for v in values)
        print(f"  {label}: {shown}")


if __name__ == "__main__":
    main()
