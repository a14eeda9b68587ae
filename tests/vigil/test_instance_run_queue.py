"""The run queue of Vigil's dagster.yaml, as Dagster itself reads it.

The unattended loop (evaluation -> drift -> retrain -> gate) passes two runs through the
queue; each run's worker imports the code location before it can do anything. The file
lets one run whose steps wait for a pool slot start its worker anyway (so a retrain
requested during a monitoring run is ready when the `warehouse` slot frees), and reads
the queue every second.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from vigil.instance import prepare_dagster_home
from vigil.settings import Settings


def test_one_pool_blocked_run_may_start_its_worker_and_the_queue_is_read_every_second(
    tmp_path: Path,
) -> None:
    settings = Settings(home=tmp_path)
    prepare_dagster_home(settings)
    with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
        pools = instance.get_concurrency_config().pool_config
        queue = instance.get_concurrency_config().run_queue_config
        coordinator = instance.run_coordinator
        assert pools.default_pool_limit == 1  # one writer on the warehouse, unchanged
        assert pools.pool_granularity is not None and pools.pool_granularity.value == "op"
        assert queue is not None and queue.should_block_op_concurrency_limited_runs
        assert queue.op_concurrency_slot_buffer == 1
        assert coordinator.dequeue_interval_seconds == 1
