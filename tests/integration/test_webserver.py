"""The Dagster webserver serves the workspace: asset nodes over GraphQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import free_port
from vigil.settings import REPO_ROOT

pytestmark = pytest.mark.integration


def test_webserver_serves_the_asset_graph(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    webserver = Path(sys.executable).parent / "dagster-webserver"
    process = subprocess.Popen(
        [
            str(webserver),
            "-w",
            str(REPO_ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        query = json.dumps({"query": "{ assetNodes { assetKey { path } } }"}).encode()
        deadline = time.monotonic() + 180
        nodes = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=query,
                    headers={"Content-Type": "application/json"},
                )
                with urllib.request.urlopen(request, timeout=10) as response:
                    body = json.load(response)
                nodes = body["data"]["assetNodes"]
                if nodes:
                    break
            except (OSError, KeyError, TypeError):
                time.sleep(1)
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        paths = {"/".join(node["assetKey"]["path"]) for node in nodes or []}
        assert {
            "raw/vitals",
            "marts/kpi_daily",
            "ml/readmission_model",
            "monitoring/readmission_drift",
        } <= paths
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
