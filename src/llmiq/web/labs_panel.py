"""The lab behind a question, for its feedback: the claim it tests and, when the lab has been
run on this machine (``llmiq lab run``), its verdict and figure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmiq.labs.registry import LAB_INFO


@dataclass(frozen=True)
class LabPanel:
    id: str
    claim: str
    supported: bool | None = None  # None: not run here yet
    key_figure: str = ""
    claims: list[dict[str, Any]] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    fast: bool = False


def lab_dir(data_dir: Path, lab_id: str) -> Path:
    return data_dir / "labs" / lab_id


def lab_panel(lab_id: str | None, data_dir: Path) -> LabPanel | None:
    """The panel of the lab ``lab_id`` (a question's ``lab``), None when there is no such lab."""
    info = LAB_INFO.get(lab_id or "")
    if info is None:
        return None
    try:
        report = json.loads((lab_dir(data_dir, info.id) / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return LabPanel(info.id, info.claim)
    return LabPanel(
        info.id,
        info.claim,
        supported=bool(report.get("supported")),
        key_figure=str(report.get("key_figure", "")),
        claims=[c for c in report.get("claims", []) if isinstance(c, dict)],
        figures=[Path(str(f)).name for f in report.get("figures", []) if str(f).endswith(".png")],
        fast=bool(report.get("fast")),
    )
