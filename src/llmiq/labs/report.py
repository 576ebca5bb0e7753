"""What a lab hands back: measurements, claims with verdicts computed from them, the
environment they were measured in, and the figures drawn."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any, Generic, TypeVar

from llmiq.labs.uncertainty import Interval


@dataclass(frozen=True)
class LabInfo:
    """A lab's card in ``llmiq lab list``, and its registration (see ``registry.LABS``)."""

    id: str  # "vector-store": the lab's code is the module llmiq.labs.vector_store
    question: str  # id of the seed question it backs
    claim: str  # the article's claim it tests, in one line
    typical_seconds: float  # full mode on 2 CPU cores
    literature: str = ""  # the published figure the lab's result is compared with

    @property
    def module(self) -> str:
        """The lab's module (or package): its id with ``_`` for ``-``, under llmiq.labs."""
        return "llmiq.labs." + self.id.replace("-", "_")


@dataclass(frozen=True)
class Claim:
    """One claim and its verdict. ``supported`` is computed from a measurement, never set by
    hand; ``evidence`` says which numbers decided it; ``interval`` is the 95% interval of the
    quantity the verdict was decided on (``measure`` names it) over the runs in ``seeds``."""

    text: str
    supported: bool
    evidence: str
    measure: str = ""  # "macro-F1 gain (calibrated - raw)"
    interval: Interval | None = None
    seeds: tuple[int, ...] = ()

    @classmethod
    def on_interval(
        cls,
        text: str,
        interval: Interval,
        *,
        measure: str,
        evidence: str,
        seeds: Sequence[int],
        above: float | None = None,
        below: float | None = None,
        also: bool = True,
    ) -> Claim:
        """A claim decided on ``interval``: supported when all of it lies above ``above``
        and/or below ``below`` (and the extra condition ``also`` holds)."""
        if above is None and below is None:
            raise ValueError("on_interval needs a threshold: above=, below= or both")
        supported = also
        if above is not None:
            supported = supported and interval.above(above)
        if below is not None:
            supported = supported and interval.below(below)
        return cls(text, supported, evidence, measure, interval, tuple(seeds))

    @property
    def verdict(self) -> str:
        return "supported" if self.supported else "not supported here"

    def to_dict(self) -> dict[str, Any]:
        interval = self.interval
        return {
            "text": self.text,
            "supported": self.supported,
            "evidence": self.evidence,
            "measure": self.measure,
            "estimate": None if interval is None else interval.estimate,
            "ci": None if interval is None else [interval.low, interval.high],
            "ci_over": None if interval is None else interval.over,
            "seeds": list(self.seeds),
            "verdict": self.verdict,
        }


M = TypeVar("M")


@dataclass
class LabResult(Generic[M]):
    """What a lab's ``run`` measured; the runner adds the card, seed, timing and environment."""

    title: str
    key_figure: str  # one line for the summary table: "3.8x faster at V=200k"
    metrics: M  # the lab's metrics dataclass (``Metrics`` in its module)
    claims: list[Claim]
    figures: list[str] = field(default_factory=list)
    models: list[dict[str, Any]] = field(default_factory=list)  # pretrained models used
    tuning: dict[str, str] = field(default_factory=dict)  # setting -> how it was chosen


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
    models: list[dict[str, Any]] = field(default_factory=list)
    tuning: dict[str, str] = field(default_factory=dict)
    fast: bool = False
    seed: int = 0
    seeds: tuple[int, ...] = ()
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
            models=result.models,
            tuning=result.tuning,
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
            "claims": [claim.to_dict() for claim in self.claims],
            "figures": list(self.figures),
            "models": [dict(model) for model in self.models],
            "tuning": dict(self.tuning),
            "fast": self.fast,
            "seed": self.seed,
            "seeds": list(self.seeds),
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
