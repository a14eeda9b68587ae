"""Loading the code location stays cheap: libraries only some runs use are not imported.

Every Dagster process imports `assets.definitions` (the daemon's code server and each
run's worker, a fresh interpreter per run), so a module-level import of a heavy library
in an asset module is paid by every run, including the sensors' and the monitoring runs
that never tune a model. The asset modules import them where they run instead.
Not a timing test: it checks which modules a fresh interpreter holds after the import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Imported only inside the functions that use them. MLflow and scikit-learn are still
# imported at load (assets/ml/length_of_stay.py, assets/ml/gating.py, monitoring/monitors.py),
# which suits the retrain: its worker imports them while it waits for the warehouse slot,
# not after taking it (docs/benchmarks.md, "monitoring").
NOT_IMPORTED_AT_LOAD = ("optuna", "evidently")


def test_loading_the_code_location_does_not_import_tuning_or_drift_libraries() -> None:
    code = (
        "import json, sys; import assets.definitions; "
        f"print(json.dumps(sorted(m for m in {list(NOT_IMPORTED_AT_LOAD)!r} if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ),  # the session's VIGIL_HOME (tests/conftest.py)
    )
    assert result.returncode == 0, result.stderr[-3000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"imported when the code location loads: {loaded}"
