"""`vigil docs`: build the dbt docs (models, columns, tests, lineage) and serve them on loopback.

Everything dbt writes (manifest, catalog, index.html) goes to ``$VIGIL_HOME/dbt/target``;
the catalog (column types, row counts) is read from the warehouse when it exists.
"""

from __future__ import annotations

import argparse
import os
import subprocess

from vigil.settings import DBT_PROJECT_DIR, get_settings


def dbt_command(*args: str) -> list[str]:
    from assets.dbt.project import dbt_executable

    return [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR)]


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    settings.ensure_dirs()
    env = {**os.environ, **settings.process_env()}
    generate = ["docs", "generate"]
    if not settings.warehouse_path.exists():
        print(f"no warehouse at {settings.warehouse_path} yet: docs without the catalog")
        generate.append("--empty-catalog")
    built = subprocess.run(dbt_command(*generate), env=env, check=False)
    if built.returncode != 0 or args.no_serve:
        if built.returncode == 0:
            print(f"dbt docs written to {settings.dbt_target_dir}")
        return built.returncode
    serve = ["docs", "serve", "--host", args.host, "--port", str(args.port), "--no-browser"]
    os.chdir(settings.dbt_target_dir)  # dbt docs serve serves its target folder
    command = dbt_command(*serve)
    os.execvpe(command[0], command, env)
    return 1  # unreachable: exec replaces this process


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "docs",
        help="build the dbt docs and serve them (loopback only)",
        description="Run `dbt docs generate` into $VIGIL_HOME/dbt/target, then `dbt docs serve`.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8580, help="port (default 8580)")
    parser.add_argument("--no-serve", action="store_true", help="only build the docs")
    parser.set_defaults(handler=run)
