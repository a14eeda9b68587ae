"""Posting an alert to a configurable webhook (JSON over HTTP POST, standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any


def post_json(url: str, payload: Mapping[str, Any], timeout_seconds: float = 5.0) -> str | None:
    """POST ``payload`` to ``url``; return None when delivered, else the error in words.

    Never raises: an unreachable webhook must not hide the alert, which is already in
    the alerts table and the log.
    """
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_seconds) as response:
            if 200 <= response.status < 300:
                return None
            return f"HTTP {response.status}"
    except urllib.error.HTTPError as error:
        return f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"{type(error).__name__}: {error}"
