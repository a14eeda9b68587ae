"""`vigil demo`, `vigil materialize`, `vigil ui`, `vigil mlflow-ui`: the platform as a whole."""

from __future__ import annotations

import argparse
import os

from vigil.commands.simulate import network_options
from vigil.settings import REPO_ROOT, get_settings


def run_demo(args: argparse.Namespace) -> int:
    from vigil import pipeline

    config = pipeline.network_config(args.hospitals, args.days, args.start, args.seed)
    return pipeline.demo(get_settings(), config)


def run_materialize(args: argparse.Namespace) -> int:
    from vigil import pipeline

    return 0 if pipeline.materialize_all(get_settings()) else 1


def run_ui(args: argparse.Namespace) -> int:
    from vigil.instance import prepare_dagster_home

    prepare_dagster_home(get_settings())
    workspace = str(REPO_ROOT / "workspace.yaml")
    # dagster dev runs the webserver and the daemon (sensors, schedules, run queue).
    command = ["dagster", "dev", "-w", workspace, "-h", args.host, "-p", str(args.port)]
    os.execvp(command[0], command)
    return 1  # unreachable: exec replaces this process


def run_mlflow_ui(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.ensure_dirs()
    command = [
        "mlflow", "ui",
        "--backend-store-uri", settings.mlflow_tracking_uri,
        "--default-artifact-root", settings.mlflow_artifact_dir.resolve().as_uri(),
        "--host", args.host,
        "--port", str(args.port),
    ]  # fmt: skip
    os.execvp(command[0], command)
    return 1


def register(commands: argparse._SubParsersAction) -> None:
    demo = commands.add_parser(
        "demo",
        help="run the whole platform end to end on the embedded defaults",
        description="Simulate, stream, materialize every Dagster asset, and print where to look.",
    )
    network_options(demo, days=90)
    demo.set_defaults(handler=run_demo)

    materialize = commands.add_parser(
        "materialize",
        help="materialize every asset of the Dagster graph headlessly",
        description="Run vigil_all_job in-process; runs are recorded under $VIGIL_HOME/dagster.",
    )
    materialize.set_defaults(handler=run_materialize)

    ui = commands.add_parser(
        "ui",
        help="start the Dagster UI and daemon (loopback only)",
        description="Start `dagster dev` for workspace.yaml: webserver and daemon (sensors run).",
    )
    ui.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    ui.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    ui.set_defaults(handler=run_ui)

    mlflow_ui = commands.add_parser(
        "mlflow-ui",
        help="start the MLflow UI over Vigil's store (loopback only)",
        description="Start the MLflow UI over the SQLite store under $VIGIL_HOME/mlflow.",
    )
    mlflow_ui.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    mlflow_ui.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    mlflow_ui.set_defaults(handler=run_mlflow_ui)
