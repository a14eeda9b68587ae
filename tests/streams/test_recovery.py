"""Crash recovery: SIGKILL the flow mid-stream, restart it, and lose or duplicate nothing."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from streams.runner import run_news2
from tests.streams.test_news2_batch import random_feed

RUN = """
import sys
from datetime import timedelta
from pathlib import Path
from streams.runner import run_news2
vitals, out, recovery = map(Path, sys.argv[1:4])
run_news2(vitals, out, recovery_dir=recovery, speed=float(sys.argv[4]),
          epoch_interval=timedelta(milliseconds=50), batch_rows=40)
"""


def land(frame: pd.DataFrame, folder: Path) -> None:
    for day, part in frame.groupby(frame["observed_at"].dt.strftime("%Y-%m-%d")):
        (folder / f"day={day}").mkdir(parents=True)
        part.to_parquet(folder / f"day={day}" / "part-0.parquet", index=False)


def rows(out: Path, kind: str) -> pd.DataFrame:
    files = sorted((out / "news2" / kind).glob("*.parquet"))
    return ds.dataset(files).to_table().to_pandas() if files else pd.DataFrame()


def test_sigkill_and_restart_loses_and_duplicates_no_alert(tmp_path: Path) -> None:
    frame = random_feed(5, 4000)
    land(frame, tmp_path / "vitals")
    reference = run_news2(tmp_path / "vitals", tmp_path / "reference", batch_rows=40)
    expected = rows(tmp_path / "reference", "alerts")
    assert reference.counts["alerts"] > 50

    span_s = (frame["observed_at"].max() - frame["observed_at"].min()).total_seconds()
    speed = span_s / 4.0  # the paced replay takes about 4 s
    args = [str(tmp_path / "vitals"), str(tmp_path / "out"), str(tmp_path / "recovery")]
    kills = 0
    for _ in range(2):
        before = len(list((tmp_path / "out").rglob("scores/*.parquet")))
        process = subprocess.Popen([sys.executable, "-c", RUN, *args, str(speed)])
        deadline = time.monotonic() + 60
        # Kill once this run has committed new output (machine load varies start-up time).
        while process.poll() is None and time.monotonic() < deadline:
            if len(list((tmp_path / "out").rglob("scores/*.parquet"))) > before + 2:
                break
            time.sleep(0.05)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
    assert kills >= 1, "the flow finished before it could be killed"
    assert 0 < len(rows(tmp_path / "out", "scores")) < len(frame)  # really killed mid-stream
    finish = subprocess.run([sys.executable, "-c", RUN, *args, "0"], timeout=120, check=False)
    assert finish.returncode == 0

    alerts = rows(tmp_path / "out", "alerts")
    assert alerts["alert_id"].is_unique
    assert sorted(alerts["alert_id"]) == sorted(expected["alert_id"])
    scores, dead = rows(tmp_path / "out", "scores"), rows(tmp_path / "out", "dead_letters")
    assert len(scores) + len(dead) == len(frame)
    assert not scores.duplicated(["patient_id", "observed_at"]).any()
