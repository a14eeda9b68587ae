"""The `vigil` command: simulate feeds, run the dataflows, run the whole platform."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from vigil.settings import apply_process_env, get_settings


def _simulate(args: argparse.Namespace) -> int:
    from vigil import pipeline

    settings = get_settings()
    out = Path(args.out) if args.out else settings.landing_dir
    config = pipeline.network_config(args.hospitals, args.days, args.start, args.seed)
    counts = pipeline.simulate(config, out, settings.home / "ground_truth")
    for feed, rows in counts.items():
        print(f"  {feed:<28} {rows:>10,} rows")
    print(f"landing zone: {out}")
    return 0


def _stream(args: argparse.Namespace) -> int:
    from streams.runner import run_news2

    settings = get_settings()
    vitals = Path(args.input) if args.input else settings.landing_dir / "vitals"
    out = Path(args.out) if args.out else settings.stream_dir
    result = run_news2(vitals, out, workers=args.workers)
    print(
        f"records in: {result.records_in:,}; "
        + ", ".join(f"{k}: {v:,}" for k, v in result.counts.items())
    )
    print(f"outputs: {out / 'news2'}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from vigil import pipeline

    return pipeline.demo(
        get_settings(), pipeline.network_config(args.hospitals, args.days, args.start, args.seed)
    )


def _materialize(args: argparse.Namespace) -> int:
    from vigil import pipeline

    return 0 if pipeline.materialize_all(get_settings()) else 1


def _ui(args: argparse.Namespace) -> int:
    from vigil.instance import prepare_dagster_home
    from vigil.settings import REPO_ROOT

    settings = get_settings()
    prepare_dagster_home(settings)
    workspace = str(REPO_ROOT / "workspace.yaml")
    # dagster dev runs the webserver and the daemon (sensors, schedules, run queue).
    command = ["dagster", "dev", "-w", workspace, "-h", args.host, "-p", str(args.port)]
    os.execvp(command[0], command)
    return 1  # unreachable: exec replaces this process


def _mlflow_ui(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.ensure_dirs()
    command = [
        "mlflow",
        "ui",
        "--backend-store-uri",
        settings.mlflow_tracking_uri,
        "--default-artifact-root",
        settings.mlflow_artifact_dir.resolve().as_uri(),
        "--host",
        args.host,
        "--port",
        str(args.port),
    ]
    os.execvp(command[0], command)
    return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vigil",
        description="Vigil: real-time healthcare analytics and AI operations. "
        "Everything is written under $VIGIL_HOME (default ./.vigil).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def network_options(sub: argparse.ArgumentParser, days: int) -> None:
        sub.add_argument(
            "--hospitals", type=int, default=2, help="hospitals in the network (default 2)"
        )
        sub.add_argument(
            "--days", type=int, default=days, help=f"days to simulate (default {days})"
        )
        sub.add_argument(
            "--start",
            type=date.fromisoformat,
            default=date(2025, 1, 1),
            help="first day, YYYY-MM-DD",
        )
        sub.add_argument(
            "--seed", type=int, default=7, help="random seed; same seed, same files (default 7)"
        )

    simulate = commands.add_parser(
        "simulate",
        help="simulate a hospital network into the landing zone",
        description="Simulate a seeded "
        "hospital network and write its feeds as Parquet to the landing zone.",
    )
    network_options(simulate, days=30)
    simulate.add_argument("--out", help="landing folder (default $VIGIL_HOME/landing)")
    simulate.set_defaults(handler=_simulate)

    stream = commands.add_parser(
        "stream",
        help="run the NEWS2 early-warning dataflow over the landed vitals",
        description="Replay the landed vitals through the NEWS2 Bytewax dataflow; write scores, "
        "alerts and dead letters as Parquet.",
    )
    stream.add_argument("--input", help="vitals folder (default $VIGIL_HOME/landing/vitals)")
    stream.add_argument("--out", help="output folder (default $VIGIL_HOME/landing/streams)")
    stream.add_argument(
        "--workers", type=int, default=1, help="Bytewax workers in this process (default 1)"
    )
    stream.set_defaults(handler=_stream)

    demo = commands.add_parser(
        "demo",
        help="run the whole platform end to end on the embedded defaults",
        description="Simulate, stream, materialize every Dagster asset, and print where to look.",
    )
    network_options(demo, days=90)
    demo.set_defaults(handler=_demo)

    materialize = commands.add_parser(
        "materialize",
        help="materialize every asset of the Dagster graph headlessly",
        description="Run vigil_all_job in-process; runs are recorded under $VIGIL_HOME/dagster.",
    )
    materialize.set_defaults(handler=_materialize)
    ui = commands.add_parser(
        "ui",
        help="start the Dagster UI and daemon (loopback only)",
        description="Start `dagster dev` for workspace.yaml: webserver and daemon (sensors run).",
    )
    ui.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    ui.set_defaults(handler=_ui)

    mlflow_ui = commands.add_parser(
        "mlflow-ui",
        help="start the MLflow UI over Vigil's store (loopback only)",
        description="Start the MLflow UI over the SQLite store under $VIGIL_HOME/mlflow.",
    )
    mlflow_ui.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    mlflow_ui.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    mlflow_ui.set_defaults(handler=_mlflow_ui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_process_env(get_settings())
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
