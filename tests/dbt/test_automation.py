"""The dbt models' automation conditions, evaluated on the real graph (Dagster's
``evaluate_automation_conditions``): a re-landed day refreshes that day of the daily marts,
after the unpartitioned models upstream; an unpartitioned change refreshes only the
latest day, not every partition."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import pytest

from assets.definitions import defs

DAYS = [f"2025-01-{day:02d}" for day in range(1, 11)]
# Evaluated as of the morning after the last day: the latest daily partition is DAYS[-1].
NOW = datetime(2025, 1, 11, 6)
KPI_DAILY = dg.AssetKey(["marts", "kpi_daily"])
KPI_UNIT_HOURLY = dg.AssetKey(["marts", "kpi_unit_hourly"])
INTERMEDIATE = dg.AssetKey(["intermediate", "int_encounters_enriched"])
HOSPITALS = dg.AssetKey(["staging", "stg_ehr__hospitals"])


def ancestors(graph, key: dg.AssetKey) -> set[dg.AssetKey]:
    seen, stack = set(), [key]
    while stack:
        for parent in graph.get(stack.pop()).parent_keys:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


class Ticks:
    """Automation ticks over the real definitions, materializations reported in between."""

    def __init__(self) -> None:
        self.instance = dg.DagsterInstance.ephemeral()
        self.graph = defs.resolve_asset_graph()
        self.upstream = ancestors(self.graph, KPI_DAILY) | ancestors(self.graph, KPI_UNIT_HOURLY)
        self.selection = dg.AssetSelection.assets(KPI_DAILY, KPI_UNIT_HOURLY, *self.upstream)
        self.cursor = None
        self.rebuilt: set[dg.AssetKey] = set()  # unpartitioned upstream requested so far

    def materialize(self, key: dg.AssetKey, partitions=(None,)) -> None:
        for partition in partitions:
            self.instance.report_runless_asset_event(
                dg.AssetMaterialization(asset_key=key, partition=partition)
            )

    def tick(self):
        result = dg.evaluate_automation_conditions(
            defs=defs,
            instance=self.instance,
            asset_selection=self.selection,
            evaluation_time=NOW,
            cursor=self.cursor,
        )
        self.cursor = result.cursor
        return result

    def build_everything(self) -> None:
        """Ten landed days, every model built: the state before each scenario."""
        for key in sorted(self.upstream, key=lambda key: key.to_user_string()):
            daily = self.graph.get(key).partitions_def is not None
            self.materialize(key, DAYS if daily else (None,))
        for mart in (KPI_DAILY, KPI_UNIT_HOURLY):
            self.materialize(mart, DAYS)
        settle(self)


@pytest.fixture(scope="module")
def ticks() -> Ticks:
    ticks = Ticks()
    ticks.tick()
    ticks.build_everything()
    return ticks


def settle(ticks: Ticks) -> dict[dg.AssetKey, set]:
    """Tick, running (reporting) what each tick requests, until nothing more is requested.

    Returns every daily mart partition requested. A daily mart is never requested on a
    tick that also requests one of its unpartitioned upstream models.
    """
    marts: dict[dg.AssetKey, set] = {KPI_DAILY: set(), KPI_UNIT_HOURLY: set()}
    quiet = 0
    for _ in range(8):
        result = ticks.tick()
        upstream = [key for key in ticks.upstream if result.get_num_requested(key)]
        for mart, partitions in marts.items():
            requested = result.get_requested_partitions(mart)
            assert not (requested and upstream), (mart, requested, upstream)
            partitions |= requested
            ticks.materialize(mart, sorted(requested))
        for key in upstream:
            ticks.materialize(key)
        ticks.rebuilt |= set(upstream)
        # Settled after two quiet ticks (a daily mart waits one tick after its upstream).
        quiet = (
            0 if upstream or any(result.get_num_requested(mart) for mart in marts) else quiet + 1
        )
        if quiet == 2:
            return marts
    raise AssertionError("automation did not settle")


def test_a_relanded_day_refreshes_that_day_after_its_upstream(ticks: Ticks) -> None:
    ticks.rebuilt.clear()
    ticks.materialize(dg.AssetKey(["raw", "encounters"]), ["2025-01-05"])
    requested = settle(ticks)
    # The models over the feed rebuild, though most of its daily partitions since 2020
    # never landed (missing raw partitions do not hold an unpartitioned model back).
    assert INTERMEDIATE in ticks.rebuilt
    # The re-landed day, and the latest day for the rebuilt intermediate models (both
    # marts read encounters: the unit-hour one for the unit a boarder waits for).
    assert requested[KPI_DAILY] == {"2025-01-05", DAYS[-1]}
    assert requested[KPI_UNIT_HOURLY] == {"2025-01-05", DAYS[-1]}


def test_a_day_of_a_feed_only_one_mart_reads_refreshes_only_that_mart(ticks: Ticks) -> None:
    ticks.materialize(dg.AssetKey(["raw", "nurse_shifts"]), ["2025-01-03"])
    requested = settle(ticks)
    assert requested[KPI_DAILY] == {"2025-01-03", DAYS[-1]}
    assert requested[KPI_UNIT_HOURLY] == set()


def test_an_unpartitioned_change_refreshes_only_the_latest_day(ticks: Ticks) -> None:
    # The hospitals' staffed beds change: not a reason to rebuild every day since 2020.
    ticks.materialize(HOSPITALS)
    requested = settle(ticks)
    assert requested[KPI_DAILY] == {DAYS[-1]}
    assert requested[KPI_UNIT_HOURLY] == set()  # it reads the units, not the hospitals
