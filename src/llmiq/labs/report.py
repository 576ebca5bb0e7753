"""What a lab hands back: measurements, claims with verdicts computed from them, the
environment they were measured in, and the figures drawn."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, Generic, TypeVar


@dataclass(frozen=True)
class LabInfo:
    """A lab's card in ``llmiq lab list``, and its registration (see ``registry.LABS``)."""

    id: str  # "vector-store": the lab's code is the module llmiq.labs.vector_store
    question: str  # id of the seed question it backs
    claim: str  # the article's claim it tests, in one line
    typical_seconds: float  # full mode on 2 CPU cores

    @property
    def module(self) -> str:
        """The lab's module (or package): its id with ``_`` for ``-``, under llmiq.labs."""
        return "llmiq.labs." + self.id.replace("-", "_")


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


M = TypeVar("M")


@dataclass
class LabResult(Generic[M]):
    """What a lab's ``run`` measured; the runner adds the card, seed, timing and environment."""

    title: str
    key_figure: str  # one line for the summary table: "3.8x faster at V=200k"
    metrics: M  # the lab's metrics dataclass (``Metrics`` in its module)
    claims: list[Claim]
    figures: list[str] = field(default_factory=list)


def metrics_dict(metrics: Any) -> dict[str, Any]:
    """A metrics dataclass as the JSON object of report.json: its fields in order, unless it
    lays itself out with ``to_dict()``."""
    if hasattr(metrics, "to_dict"):
        return metrics.to_dict()
    if not is_dataclass(metrics) or isinstance(metrics, type):
        raise TypeError(f"metrics must be a dataclass instance, not {type(metrics).__name__}")
    return asdict(metrics)


@dataclass
class LabReport(Generic[M]):
    lab: str
    question: str
    title: str
    key_figure: str  # one line for the summary table: "3.8x faster at V=200k"
    metrics: M  # the lab's metrics dataclass
    claims: list[Claim]
    figures: list[str] = field(default_factory=list)
    fast: bool = False
    seed: int = 0
    wall_seconds: float = 0.0
    environment: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, info: LabInfo, result: LabResult[M], **run: Any) -> LabReport[M]:
        """The report of ``result``, filed under the lab's card; ``run``: fast, seed, ..."""
        return cls(
            lab=info.id,
            question=info.question,
            title=result.title,
            key_figure=result.key_figure,
            metrics=result.metrics,
            claims=result.claims,
            figures=result.figures,
            **run,
        )

    @property
    def supported(self) -> bool:
        return all(claim.supported for claim in self.claims)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "lab": self.lab,
            "question": self.question,
            "title": self.title,
            "key_figure": self.key_figure,
            "metrics": metrics_dict(self.metrics),
            "claims": [asdict(c) | {"verdict": c.verdict} for c in self.claims],
            "figures": list(self.figures),
            "fast": self.fast,
            "seed": self.seed,
            "wall_seconds": self.wall_seconds,
            "environment": dict(self.environment),
            "supported": self.supported,
        }
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
