"""The lab behind a question, for its feedback: the claim it tests, its verdict and figures.

The verdict comes from the lab's last run on this machine (``llmiq lab run`` writes it to the
data directory) or, until there is one, from the reference run shipped with llmiq (full
mode, seed 0, on 2 CPU cores; ``scripts/update-lab-references`` makes it), labelled as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from llmiq.labs.registry import LAB_INFO


@dataclass(frozen=True)
class LabPanel:
    id: str
    claim: str
    supported: bool | None = None  # None: no report, neither here nor shipped
    key_figure: str = ""
    claims: list[dict[str, Any]] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)
    fast: bool = False
    reference: bool = False  # the shipped reference run, not one made here
    folder: Path | None = None  # where the report and its figures are
    environment: dict[str, Any] = field(default_factory=dict)
    wall_seconds: float = 0.0


def local_lab_dir(data_dir: Path, lab_id: str) -> Path:
    return data_dir / "labs" / lab_id


def reference_lab_dir(lab_id: str) -> Path:
    return Path(str(files("llmiq.labs").joinpath("reference", lab_id)))


def _read(folder: Path) -> dict[str, Any] | None:
    try:
        report = json.loads((folder / "report.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None


def lab_panel(lab_id: str | None, data_dir: Path) -> LabPanel | None:
    """The panel of the lab ``lab_id`` (a question's ``lab``), None when there is no such lab."""
    info = LAB_INFO.get(lab_id or "")
    if info is None:
        return None
    for folder, reference in ((local_lab_dir(data_dir, info.id), False),
                              (reference_lab_dir(info.id), True)):  # fmt: skip
        report = _read(folder)
        if report is None:
            continue
        return LabPanel(
            info.id,
            info.claim,
            supported=bool(report.get("supported")),
            key_figure=str(report.get("key_figure", "")),
            claims=[c for c in report.get("claims", []) if isinstance(c, dict)],
            figures=[
                Path(str(f)).name for f in report.get("figures", []) if str(f).endswith(".png")
            ],
            fast=bool(report.get("fast")),
            reference=reference,
            folder=folder,
            environment=report.get("environment") or {},
            wall_seconds=float(report.get("wall_seconds") or 0),
        )
    return LabPanel(info.id, info.claim)
