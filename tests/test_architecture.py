"""House rules that keep the pure logic pure and the source tree clean."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = {"dagster", "dagster_dbt", "bytewax", "dbt", "mlflow"}
# Modules holding clinical and business logic: never import an orchestration framework.
PURE = [
    *sorted((ROOT / "clinical").glob("*.py")),
    *sorted((ROOT / "simulator").glob("*.py")),
    *sorted((ROOT / "contract").glob("*.py")),
    *sorted((ROOT / "ingest").glob("*.py")),
    ROOT / "streams" / "news2_state.py",
    ROOT / "streams" / "news2_batch.py",
    ROOT / "streams" / "news2_columns.py",
    ROOT / "streams" / "evaluation.py",
    ROOT / "streams" / "routing.py",
    ROOT / "streams" / "ops_batch.py",
    ROOT / "streams" / "devices.py",
    ROOT / "streams" / "side_inputs.py",
    ROOT / "ml" / "readmission.py",
    ROOT / "ml" / "gate.py",
    ROOT / "ml" / "tuning.py",
    ROOT / "ml" / "evaluation.py",
    ROOT / "ml" / "length_of_stay.py",
    ROOT / "ml" / "forecast.py",
    ROOT / "ml" / "deterioration.py",
    *sorted((ROOT / "monitoring").glob("*.py")),
]


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_modules_do_not_import_frameworks(path: Path) -> None:
    assert imported_roots(path) & FRAMEWORKS == set()


def test_settings_do_no_io_at_import(tmp_path: Path) -> None:
    code = (
        "import vigil.settings, vigil.cli, clinical.news2, streams.news2_state, simulator.network"
    )
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        check=True,
        env={"VIGIL_HOME": str(tmp_path / "h")},
    )
    assert not (tmp_path / "h").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    ["simulate", "stream", "news2", "detect", "demo", "materialize", "ui", "mlflow-ui", "docs"],
)
def test_every_subcommand_has_help(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vigil.cli", command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"usage: vigil {command}" in result.stdout
