"""Mock interview reports kept as JSON in the data directory's ``mock-reports`` folder."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from llmiq.atomic import write_atomic
from llmiq.paths import data_dir


def save_mock_report(report: dict[str, Any], profile: str, when: datetime) -> Path:
    """Write one report, named by its time and profile; returns where."""
    path = data_dir() / "mock-reports" / f"{when:%Y%m%d-%H%M%S}-{profile}.json"
    report = {"profile": profile, "finished_at": when.isoformat(), **report}
    write_atomic(path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return path
