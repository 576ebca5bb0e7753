"""What a lab hands back: measurements, claims with verdicts computed from them, the
environment they were measured in, and the figures drawn."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class LabInfo:
    """A lab's card in ``llmiq lab list``."""

    id: str
    question: str  # id of the seed question it backs
    claim: str  # the article's claim it tests, in one line
    typical_seconds: float  # full mode on 2 CPU cores


@dataclass(frozen=True)
class Claim:
    """One claim and its verdict. ``supported`` is computed from a measurement, never set by
    hand; ``evidence`` says which numbers decided it."""

    text: str
    supported: bool
    evidence: str

    @property
    def verdict(self) -> str:
        return "supported" if self.supported else "not supported here"


@dataclass
class LabReport:
    lab: str
    question: str
    title: str
    key_figure: str  # one line for the summary table: "3.8x faster at V=200k"
    metrics: dict[str, Any]
    claims: list[Claim]
    figures: list[str] = field(default_factory=list)
    fast: bool = False
    seed: int = 0
    wall_seconds: float = 0.0
    environment: dict[str, Any] = field(default_factory=dict)

    @property
    def supported(self) -> bool:
        return all(claim.supported for claim in self.claims)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["claims"] = [asdict(c) | {"verdict": c.verdict} for c in self.claims]
        data["supported"] = self.supported
        return data


def environment() -> dict[str, Any]:
    """Where the numbers were measured (torch imported only if a lab already did)."""
    import sys

    env: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
    }
    torch = sys.modules.get("torch")
    if torch is not None:
        env["torch"] = torch.__version__
        env["torch_threads"] = torch.get_num_threads()
    return env
