"""The `vigil` command. Each domain registers its subcommands from `vigil/commands/`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from vigil.commands import docs, ingest, platform, simulate, streams
from vigil.settings import apply_process_env, get_settings

# Order of the subcommands in --help.
COMMAND_MODULES = (simulate, ingest, streams, platform, docs)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vigil",
        description="Vigil: real-time healthcare analytics and AI operations. "
        "Everything is written under $VIGIL_HOME (default ./.vigil).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    apply_process_env(get_settings())
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
