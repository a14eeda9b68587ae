"""The dbt project as dagster-dbt sees it, with its manifest kept under VIGIL_HOME.

dagster-dbt reads ``manifest.json`` when the definitions load, so this module
prepares it (``dbt parse``) when it is missing; nothing is written into the
``dbt_project/`` source folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from vigil.settings import DBT_PROJECT_DIR, Settings


def dbt_executable() -> str:
    """The ``dbt`` installed beside this interpreter (the locked environment's)."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


def _newest_source_mtime() -> float:
    files = [
        path for path in DBT_PROJECT_DIR.rglob("*") if path.is_file() and "target" not in path.parts
    ]
    return max(path.stat().st_mtime for path in files)


def prepare_manifest(settings: Settings, force: bool = False) -> Path:
    """Run ``dbt parse`` into ``$VIGIL_HOME/dbt/target`` when the manifest is missing or stale.

    Stale means a file of the dbt project changed after the manifest was written, so an
    edited model shows up in the next definitions load without a manual step.
    """
    manifest = settings.dbt_manifest_path
    if not force and manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime():
        return manifest
    settings.ensure_dirs()
    env = {**os.environ, **settings.process_env()}
    result = subprocess.run(
        [dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt parse failed:\n{result.stdout}\n{result.stderr}")
    return manifest


def vigil_dbt_project(settings: Settings) -> DbtProject:
    prepare_manifest(settings)
    return DbtProject(
        project_dir=DBT_PROJECT_DIR,
        target_path=settings.dbt_target_dir,
        profiles_dir=DBT_PROJECT_DIR,
    )
