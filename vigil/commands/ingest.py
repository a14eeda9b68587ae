"""`vigil ingest hl7v2|fhir|synthea PATH`: a hospital's own data into the landing zone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vigil.settings import get_settings

FORMATS = ("hl7v2", "fhir", "synthea")
# The training assets whose Optuna budget `--training-trials` sets (each has `n_trials`).
TRAINING_ASSETS = (
    ("ml", "readmission_model"),
    ("ml", "length_of_stay_model"),
    ("ml", "deterioration_model"),
    ("ml", "demand_forecast_model"),
)


def training_run_config(trials: int) -> dict:
    """Run config giving every training asset ``trials`` Optuna trials."""
    return {"ops": {"__".join(key): {"config": {"n_trials": trials}} for key in TRAINING_ASSETS}}


def materialize(settings, trials: int | None) -> bool:
    """Every asset, as ``vigil.pipeline.materialize_all``, with an optional training budget.

    Without ``trials`` this is ``materialize_all`` itself; with it, the same in-process
    run with the training assets' ``n_trials`` set (a run config materialize_all does not
    take yet).
    """
    from vigil import pipeline

    if trials is None:
        return pipeline.materialize_all(settings)
    from dagster import DagsterInstance

    from assets.definitions import ALL_ASSETS_JOB, build_definitions
    from vigil.instance import prepare_dagster_home
    from vigil.settings import apply_process_env

    prepare_dagster_home(settings)
    apply_process_env(settings)
    defs = build_definitions(settings)
    run_config = {**pipeline.QUIET_LOGS, **training_run_config(trials)}
    with DagsterInstance.get() as instance:
        result = defs.resolve_job_def(ALL_ASSETS_JOB).execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=run_config,
            tags=pipeline.landed_partition_tags(settings),
        )
    checks = result.get_asset_check_evaluations()
    failed = [c.asset_check_key.to_user_string() for c in checks if not c.passed]
    print(
        f"    run {result.run_id}: {len(result.get_asset_materialization_events())} assets "
        f"materialized, {len(checks) - len(failed)}/{len(checks)} checks passed "
        f"({trials} training trials per model)"
    )
    for check in failed:
        print(f"    FAILED check {check}")
    return result.success


def run(args: argparse.Namespace) -> int:
    from contract.validate import ContractError
    from ingest.adapters import ingest
    from ingest.pseudonym import MissingKeyError, Pseudonymizer

    settings = get_settings()
    landing = Path(args.out) if args.out else settings.landing_dir
    path = Path(args.path)
    if args.training_trials is not None and args.training_trials < 1:
        print("vigil ingest: --training-trials must be at least 1", file=sys.stderr)
        return 2
    if not path.exists():
        print(f"vigil ingest: {path} does not exist", file=sys.stderr)
        return 2
    try:
        pseudonymize = Pseudonymizer(settings.pseudonym_key)
        result = ingest(args.format, path, landing, pseudonymize, args.reference)
    except (MissingKeyError, ContractError, FileNotFoundError) as error:
        print(f"vigil ingest: {error}", file=sys.stderr)
        return 2
    print(result.summary())
    print(f"landing zone: {landing}; rejects: {result.rejects_path}")
    if not args.build:
        return 0
    from streams.runner import run_news2

    stream = run_news2(landing / "vitals", settings.stream_dir)
    print(f"NEWS2 dataflow: {stream.records_in:,} observation sets in")
    return 0 if materialize(settings, args.training_trials) else 1


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "ingest",
        help="load a hospital's HL7 v2, FHIR R4 or Synthea CSV files into the landing zone",
        description="Parse, pseudonymise (VIGIL_PSEUDONYM_KEY) and validate a file or folder "
        "against the input contract (docs/input-contract.md); valid rows replace the landing "
        "zone's contract tables, the rest go to landing/intake_rejects with their reason.",
    )
    parser.add_argument("format", choices=FORMATS, help="source format")
    parser.add_argument("path", help="file or folder to load")
    parser.add_argument("--out", help="landing folder (default $VIGIL_HOME/landing)")
    parser.add_argument(
        "--reference",
        type=Path,
        help="folder with the hospital's hospitals.csv and units.csv "
        "(default: derived from the messages, staffed beds as peak census)",
    )
    parser.add_argument(
        "--build",
        action="store_true",
        help="then run the NEWS2 dataflow and materialize every asset (as `vigil demo` does)",
    )
    parser.add_argument(
        "--training-trials",
        type=int,
        metavar="N",
        help="with --build: Optuna trials per model for the four training assets "
        "(default: each asset's own, 6-8); a small N gives a quick smoke build",
    )
    parser.set_defaults(handler=run)
