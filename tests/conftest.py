"""Test-wide setup: every test session gets its own VIGIL_HOME, never the repo's."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

from vigil.settings import TELEMETRY_OFF


def pytest_configure(config: pytest.Config) -> None:
    # Set before any test module imports assets.definitions, which reads it.
    home = Path(tempfile.mkdtemp(prefix="vigil-test-"))
    os.environ["VIGIL_HOME"] = str(home)
    for key, value in TELEMETRY_OFF.items():
        os.environ.setdefault(key, value)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(host: str, port: int, name: str) -> None:
    """Skip locally when a service is down, but fail loudly in CI (CI=true)."""
    try:
        with socket.create_connection((host, port), timeout=2):
            return
    except OSError as error:
        message = f"{name} is not reachable on {host}:{port}: {error}"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
