"""`vigil stream`, `vigil news2`, `vigil detect`: the dataflows and their batch twins."""

from __future__ import annotations

import argparse
from pathlib import Path

from vigil.settings import get_settings


def kafka_flow(args: argparse.Namespace):
    """The early-warning flow between the Kafka topics named on the command line."""
    from ingest.pseudonym import Pseudonymizer
    from streams.kafka_connectors import KafkaConfig, build_kafka_flow
    from streams.news2_flow import News2FlowConfig

    if not args.bootstrap:
        raise SystemExit("vigil stream --broker kafka needs --bootstrap HOST:PORT[,HOST:PORT]")
    kafka = KafkaConfig(
        brokers=tuple(args.bootstrap.split(",")),
        vitals_topic=args.vitals_topic,
        alerts_topic=args.alerts_topic,
        dead_letters_topic=args.dead_letters_topic,
    )
    key = get_settings().pseudonym_key
    pseudonymize = Pseudonymizer(key) if key else None  # HL7 v2 messages need the key
    return build_kafka_flow(kafka, News2FlowConfig(emit_scores=False), pseudonymize)


def redis_flow(args: argparse.Namespace):
    """The early-warning or census flow between the Redis streams of ``--redis-prefix``."""
    from ingest.pseudonym import Pseudonymizer
    from streams.redis_connectors import RedisAdtSource, RedisStreamSink, RedisStreamSource

    settings = get_settings()
    key = settings.pseudonym_key
    pseudonymize = Pseudonymizer(key) if key else None  # HL7 v2 messages need the key
    options = {
        "prefix": args.redis_prefix,
        "stop_when_idle": args.until_idle,
        "pseudonymize": pseudonymize,
    }
    sink = RedisStreamSink(args.redis_url, prefix=args.redis_prefix)
    if args.flow == "news2":
        from streams.news2_flow import News2FlowConfig, build_flow

        config = News2FlowConfig(
            partitions=args.redis_partitions, emit_scores=False, workers=args.workers
        )
        source = RedisStreamSource(args.redis_url, args.redis_partitions, **options)
        return build_flow(source, sink, config)
    if args.flow != "census":
        raise SystemExit("vigil stream --broker redis runs --flow news2 or census")
    if pseudonymize is None:
        raise SystemExit("vigil stream --flow census --broker redis needs VIGIL_PSEUDONYM_KEY")
    import pandas as pd

    from streams.census_flow import CensusFlowConfig
    from streams.census_flow import build_flow as build_census_flow

    units_dir = (Path(args.input) if args.input else settings.landing_dir) / "units"
    if not units_dir.exists():
        raise SystemExit(f"no landed units (staffed beds) under {units_dir}")
    units = pd.read_parquet(units_dir)
    beds = dict(zip(units["unit_id"], units["staffed_beds"].astype(int), strict=True))
    source = RedisAdtSource(args.redis_url, args.redis_partitions, **options)
    return build_census_flow(source, sink, CensusFlowConfig(staffed_beds=beds))


def run_stream(args: argparse.Namespace) -> int:
    from streams.runner import run_census, run_news2, run_ops

    settings = get_settings()
    if args.broker == "redis":
        from bytewax.run import cli_main

        cli_main(redis_flow(args), workers_per_process=args.workers)
        print(f"outputs: Redis streams {args.redis_prefix}:* at {args.redis_url}")
        return 0
    if args.broker == "kafka":
        from bytewax.run import cli_main

        from streams.runner import recovery_config

        recovery = recovery_config(Path(args.recovery_dir)) if args.recovery_dir else None
        cli_main(kafka_flow(args), workers_per_process=args.workers, recovery_config=recovery)
        return 0
    if args.flow in ("census", "ops"):
        out = Path(args.out) if args.out else settings.stream_dir
        landing = Path(args.input) if args.input else settings.landing_dir
        result = (run_census if args.flow == "census" else run_ops)(landing, out)
        counts = ", ".join(f"{kind}: {rows:,}" for kind, rows in result.counts.items())
        print(f"records in: {result.records_in:,}; {counts}")
        print(f"outputs: {out / args.flow}")
        return 0
    vitals = Path(args.input) if args.input else settings.landing_dir / "vitals"
    out = Path(args.out) if args.out else settings.stream_dir
    recovery = Path(args.recovery_dir) if args.recovery_dir else None
    config = None
    patients = settings.landing_dir / "patients"
    if not args.input and patients.exists():  # the landed vitals: check patient ids too
        import pandas as pd

        from streams.news2_flow import News2FlowConfig

        ids = pd.read_parquet(patients, columns=["patient_id"])["patient_id"]
        config = News2FlowConfig(known_patients=frozenset(ids.astype(str)))
    labs = Path(args.lab_results) if args.lab_results else None
    if labs is None and not args.input and (settings.landing_dir / "lab_results").exists():
        labs = settings.landing_dir / "lab_results"
    acknowledgements = args.acknowledgements
    if acknowledgements == "auto":  # simulated landing (it has ground truth): the nurse too
        simulated = not args.input and (settings.home / "ground_truth").exists()
        acknowledgements = "simulated" if simulated else "none"
    result = run_news2(
        vitals,
        out,
        workers=args.workers,
        config=config,
        speed=args.speed,
        recovery_dir=recovery,
        lab_results_dir=labs,
        nurse_seed=args.nurse_seed if acknowledgements == "simulated" else None,
    )
    counts = ", ".join(f"{kind}: {rows:,}" for kind, rows in result.counts.items())
    print(f"records in: {result.records_in:,}; {counts}")
    print(f"outputs: {out / 'news2'}")
    return 0


def _read_table(path: Path):
    import pandas as pd

    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def _write_table(frame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".parquet", ".pq"):
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def run_news2_batch(args: argparse.Namespace) -> int:
    from clinical.news2_frame import score_frame

    try:
        scored = score_frame(_read_table(Path(args.input)))
    except (OSError, ValueError) as error:
        print(f"vigil news2: {error}")
        return 2
    _write_table(scored, Path(args.output))
    errors = int(scored["error"].notna().sum())
    print(f"{len(scored):,} rows: {len(scored) - errors:,} scored, {errors:,} with an error")
    return 0


def run_detect(args: argparse.Namespace) -> int:
    from clinical.anomaly import SeasonalRobustDetector
    from clinical.series import read_series, score_series

    try:
        series = read_series(Path(args.input))
    except (OSError, ValueError) as error:
        print(f"vigil detect: {error}")
        return 2
    scored = score_series(series, SeasonalRobustDetector())
    _write_table(scored, Path(args.output))
    flagged = int((scored["anomaly_score"] >= 0.999).sum())
    print(f"{len(scored):,} points scored; {flagged:,} at 0.999 or above")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "stream",
        help="run a Bytewax dataflow (NEWS2 early warning, live census, operational anomalies)",
        description="Replay the landed vitals through the NEWS2 early-warning dataflow (scores, "
        "alerts, sepsis alerts, escalations, dead letters) or the ADT and ED events through "
        "the live census dataflow (occupancy, capacity and boarding alerts), as Parquet.",
    )
    parser.add_argument(
        "--flow",
        choices=("news2", "census", "ops"),
        default="news2",
        help="news2: early warning over the vitals (default); census: ADT and ED events; "
        "ops: anomaly detection over interface metrics and device heartbeats",
    )
    parser.add_argument(
        "--input",
        help="news2: vitals folder (default $VIGIL_HOME/landing/vitals); "
        "census, ops: landing folder (default $VIGIL_HOME/landing)",
    )
    parser.add_argument("--out", help="output folder (default $VIGIL_HOME/landing/streams)")
    parser.add_argument(
        "--workers", type=int, default=1, help="Bytewax workers in this process (default 1)"
    )
    parser.add_argument(
        "--speed", type=float, default=None, help="replay at this multiple of real time"
    )
    parser.add_argument(
        "--recovery-dir", help="turn Bytewax recovery on, with its database in this folder"
    )
    parser.add_argument(
        "--lab-results",
        help="news2: landed lab_results folder whose lactates join the sepsis screen "
        "(default $VIGIL_HOME/landing/lab_results when --input is not given)",
    )
    parser.add_argument(
        "--acknowledgements",
        choices=("auto", "simulated", "none"),
        default="auto",
        help="news2: alert acknowledgements from the simulated nurse (simulator.nurse_response) "
        "or none; auto: simulated when the landing zone is the simulator's (default)",
    )
    parser.add_argument(
        "--nurse-seed", type=int, default=7, help="seed of the simulated nurse (default 7)"
    )
    parser.add_argument(
        "--broker",
        choices=("replay", "redis", "kafka"),
        default="replay",
        help="replay the landing zone (default); redis: news2 or census between Redis "
        "streams (consumer group; runs until stopped unless --until-idle); kafka: news2 "
        "between Kafka topics through Bytewax's Kafka connector (see docs/streams.md)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0", help="redis: server URL")
    parser.add_argument(
        "--redis-prefix",
        default="vigil",
        help="redis: stream key prefix: reads <prefix>:vitals:<i> (news2) or <prefix>:adt:<i> "
        "(census), writes <prefix>:alerts, :occupancy, :dead_letters (default vigil)",
    )
    parser.add_argument(
        "--redis-partitions",
        type=int,
        default=2,
        help="redis: input stream keys <prefix>:...:0..N-1, as the producers used (default 2)",
    )
    parser.add_argument(
        "--until-idle",
        action="store_true",
        help="redis: stop when a read finds no new message (replays, tests)",
    )
    parser.add_argument("--bootstrap", help="kafka: bootstrap servers, HOST:PORT[,HOST:PORT]")
    parser.add_argument("--vitals-topic", default="vigil.vitals", help="kafka: input topic")
    parser.add_argument("--alerts-topic", default="vigil.alerts", help="kafka: alerts topic")
    parser.add_argument(
        "--dead-letters-topic", default="vigil.dead_letters", help="kafka: dead-letter topic"
    )
    parser.set_defaults(handler=run_stream)

    news2 = commands.add_parser(
        "news2",
        help="score a CSV or Parquet of observation sets with NEWS2 (RCP 2017)",
        description="Score every row with the function the dataflow uses. Adds news2_score, "
        "news2_band, one <parameter>_score per parameter and an error column; rows with a "
        "missing or impossible value get the error and no score; none are dropped.",
    )
    news2.add_argument("--input", required=True, help="CSV or Parquet of observation sets")
    news2.add_argument("--output", required=True, help="CSV or Parquet to write (by suffix)")
    news2.set_defaults(handler=run_news2_batch)

    detect = commands.add_parser(
        "detect",
        help="score a univariate timestamp,value series with the online anomaly detector",
        description="Process rows strictly in file order without look-ahead and write "
        "timestamp,value,anomaly_score (score in [0, 1]).",
    )
    detect.add_argument("--input", required=True, help="CSV with columns timestamp,value")
    detect.add_argument("--output", required=True, help="CSV (or Parquet) to write")
    detect.set_defaults(handler=run_detect)
