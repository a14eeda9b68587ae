"""`vigil ingest hl7v2|fhir|synthea PATH`: a hospital's own data into the landing zone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vigil.settings import get_settings

FORMATS = ("hl7v2", "fhir", "synthea")


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
    from vigil import pipeline

    return 0 if pipeline.materialize_all(settings, args.training_trials) else 1


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
