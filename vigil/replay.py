"""Live through landed days in time order: the closed loop of one monitored model, in process.

A simulated network is landed all at once, but a deployment sees its days one after
another: a drift on its first day, its outcomes weeks later. :class:`LoopReplay` copies a
landing zone into a home up to a given day (:func:`land`), loads it (the raw assets the
monitor needs, then dbt's models behind its features and the ED arrivals), runs the
model's training and the monitor's daily partition, and ticks the loop's sensors and the
audit as the daemon would, in this process (no run workers, no ticking interval). Used
by ``benchmarks/bench_monitoring_regate.py`` and its test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

from monitoring.config import ModelMonitor
from vigil.pipeline import QUIET_LOGS
from vigil.settings import DBT_PROJECT_DIR, Settings, apply_process_env

# The monitor's intake check reads the ED arrivals (monitoring.intake.INTAKE_SQL).
ED_VISITS_MODEL = "stg_ehr__ed_visits"


def land(source: Path, target: Path, last_day: date) -> int:
    """Copy the reference feeds and every landed day up to ``last_day`` from ``source`` to
    ``target`` (days already there are kept); returns the day folders copied."""
    from assets.raw.assets import FEEDS
    from assets.raw.partitions import DAY_FOLDER_PREFIX

    copied = 0
    for feed in FEEDS:
        src = source / feed.folder
        if not src.exists():
            continue
        if not feed.daily:
            shutil.copytree(src, target / feed.folder, dirs_exist_ok=True)
            continue
        for day_dir in sorted(src.iterdir()):
            day = date.fromisoformat(day_dir.name.removeprefix(DAY_FOLDER_PREFIX))
            if day <= last_day and not (target / feed.folder / day_dir.name).exists():
                shutil.copytree(day_dir, target / feed.folder / day_dir.name)
                copied += 1
    return copied


class LoopReplay:
    """The jobs and sensors of ``monitor``'s loop over ``settings``' home, in process."""

    def __init__(self, settings: Settings, monitor: ModelMonitor, training: dict[str, Any]):
        import dagster as dg

        from assets.definitions import build_definitions

        apply_process_env(settings)
        self.settings = settings
        self.monitor = monitor
        self.model_key = dg.AssetKey(["ml", f"{monitor.slug}_model"])
        self.monitor_key = dg.AssetKey(["monitoring", f"{monitor.slug}_drift"])
        self.training = {"ops": {f"ml__{monitor.slug}_model": {"config": training}}}
        base = build_definitions(settings)
        features = dg.AssetKey(monitor.features_table.split("."))
        ed_visits = dg.AssetKey(["staging", ED_VISITS_MODEL])
        raw = dg.AssetSelection.assets(features, ed_visits).upstream() & (
            dg.AssetSelection.key_prefixes("raw")
        )
        jobs = [
            dg.define_asset_job(
                "replay_load", selection=sorted(raw.resolve(base.resolve_asset_graph()))
            ),
            dg.define_asset_job("replay_train", selection=[self.model_key]),
            dg.define_asset_job("replay_monitor", selection=[self.monitor_key]),
        ]
        self.defs = dg.Definitions.merge(base, dg.Definitions(jobs=jobs))
        self.resources = {"warehouse": self.defs.resources["warehouse"]}
        self.dbt_select = f"+{features.path[-1]} +{ED_VISITS_MODEL}"

    def _run(self, job: str, run_config: dict | None = None, **kwargs):
        import dagster as dg

        config = {**QUIET_LOGS, **(run_config or {})}
        with dg.DagsterInstance.get() as instance:
            result = self.defs.resolve_job_def(job).execute_in_process(
                instance=instance, raise_on_error=False, run_config=config, **kwargs
            )
        if not result.success:
            raise RuntimeError(f"{job} failed: run {result.run_id} in {self.settings.home}")
        return result

    def load(self, first: date, last: date) -> None:
        """Load the landed days ``first``..``last`` and rebuild the dbt models the loop reads
        (models and seeds only: the graph's own tests cover them)."""
        from assets.dbt.project import dbt_executable

        tags = {
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        }
        self._run("replay_load", tags=tags)
        subprocess.run(
            [dbt_executable(), "build", "--quiet", "--select", self.dbt_select,
             "--resource-type", "model", "--resource-type", "seed"],
            cwd=DBT_PROJECT_DIR, env={**os.environ, **self.settings.process_env()}, check=True,
        )  # fmt: skip

    def train(self, tags: dict[str, str] | None = None) -> dict[str, Any]:
        """Train and gate the model (the retrain job, with a sensor's ``tags``, when given);
        the training asset's metadata."""
        job = self.monitor.retrain_job if tags else "replay_train"
        result = self._run(job, self.training, tags=tags or {})
        node = "__".join(self.model_key.path)
        meta = result.asset_materializations_for_node(node)[0].metadata
        return {key: getattr(value, "value", value) for key, value in meta.items()}

    def evaluate(self, day: date) -> None:
        """The monitor's daily partition for ``day``."""
        self._run("replay_monitor", partition_key=day.isoformat())

    def tick(self, sensor_name: str) -> tuple[list, str | None]:
        """Evaluate a sensor once: the run requests it made, and its skip message if any."""
        import dagster as dg

        with dg.DagsterInstance.get() as instance:
            context = dg.build_sensor_context(instance=instance, resources=self.resources)
            result = self.defs.resolve_sensor_def(sensor_name)(context)
        if isinstance(result, dg.RunRequest):
            return [result], None
        if isinstance(result, dg.SkipReason):
            return [], result.skip_message
        skipped = result.skip_reason.skip_message if result.skip_reason else None
        return list(result.run_requests or []), skipped

    def audit(self) -> None:
        """Tick the retraining audit sensor: the ended retrain runs and their decisions."""
        import dagster as dg

        from assets.monitoring.retraining import retraining_audit_sensor

        with dg.DagsterInstance.get() as instance:
            retraining_audit_sensor(
                dg.build_sensor_context(instance=instance, resources=self.resources)
            )
