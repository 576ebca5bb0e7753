"""Every registered lab keeps the lab contract (llmiq.labs.contract), its report keeps the
layout of the shipped reference reports, and the registry stays free of torch."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from llmiq.errors import LlmiqError
from llmiq.labs.contract import contract_problems
from llmiq.labs.registry import LAB_INFO, LABS, lab_ids, load_lab
from llmiq.labs.report import Claim, LabInfo, LabReport, LabResult
from llmiq.labs.uncertainty import Interval
from llmiq.web.labs_panel import reference_lab_dir


@pytest.mark.slow
@pytest.mark.parametrize("lab_id", lab_ids())
def test_every_registered_lab_keeps_the_contract(lab_id: str) -> None:
    lab = load_lab(lab_id)
    assert lab.__name__ == LAB_INFO[lab_id].module
    assert contract_problems(lab) == []


@pytest.mark.slow
@pytest.mark.parametrize("lab_id", lab_ids())
def test_report_json_has_the_layout_of_the_shipped_reference(
    lab_id: str, fast_report: Callable[[str], LabReport]
) -> None:
    """The web app and the references read report.json: a fast run has the same keys, in the
    same order, as the full reference run shipped with the package."""
    report = fast_report(lab_id)
    assert isinstance(report.metrics, load_lab(lab_id).Metrics)
    written = json.loads((Path(report.figures[0]).parent / "report.json").read_text("utf-8"))
    assert written == json.loads(json.dumps(report.to_dict()))
    reference = json.loads((reference_lab_dir(lab_id) / "report.json").read_text("utf-8"))
    assert list(written) == list(reference)
    ours, theirs = list(written["metrics"]), list(reference["metrics"])
    if lab_id == "attention":  # a key per sentence pair: the fast run has 3 of the 8 pairs
        ours, theirs = ours[:-6], theirs[:-16]
    assert ours == theirs
    assert (written["lab"], written["question"]) == (lab_id, LAB_INFO[lab_id].question)
    assert written["seeds"] == [0]  # --fast: one seed per claim
    for claim in report.claims:
        assert claim.interval is not None, claim.text
        assert claim.seeds == (0,), claim.text


def test_registration_is_one_card_per_lab_named_after_its_module() -> None:
    assert [info.id for info in LABS] == lab_ids()
    assert len(set(lab_ids())) == len(LABS)
    assert LAB_INFO["vector-store"].module == "llmiq.labs.vector_store"
    for info in LABS:
        assert info.question
        assert info.claim
        assert info.typical_seconds > 0


def test_the_registry_and_the_contract_import_no_torch() -> None:
    code = (
        "import sys, llmiq.labs.registry, llmiq.labs.contract, llmiq.labs.runner;"
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_an_unknown_lab_is_one_sentence() -> None:
    with pytest.raises(LlmiqError, match="no lab named 'nope'; labs: calibration, vector-store"):
        load_lab("nope")


@dataclasses.dataclass
class _Metrics:
    accuracy: float
    by_size: dict[str, float]


def test_contract_problems_name_what_a_module_lacks() -> None:
    empty = ModuleType("llmiq.labs.empty")
    assert contract_problems(empty) == ["missing Config, Metrics, run"]

    @dataclasses.dataclass
    class Config:
        steps: int = 10

        @classmethod
        def fast(cls) -> Config:
            return cls()  # not faster: the contract asks for a different config

    lab = ModuleType("llmiq.labs.bad")
    lab.Config = Config  # type: ignore[attr-defined]
    lab.Metrics = dict  # type: ignore[attr-defined]
    lab.run = lambda config: None  # type: ignore[attr-defined]
    assert contract_problems(lab) == [
        "Config.fast() is the full config",
        "Metrics is not a dataclass",
        "run takes (config), not (config, context)",
    ]


def test_the_report_files_a_result_under_the_card() -> None:
    info = LabInfo("demo", "demo-question", "a claim", 1)
    measured = Claim.on_interval(
        "c", Interval(0.2, 0.1, 0.3, "2 seeds x 8 items"), measure="gain", evidence="e",
        seeds=(3, 4), above=0,
    )  # fmt: skip
    result = LabResult(
        title="t",
        key_figure="k",
        metrics=_Metrics(0.5, {"small": 1.0}),
        claims=[measured, Claim("d", False, "f")],
        figures=["f.png"],
        models=[{"id": "m", "name": "M", "parameters": 10, "source": "PyPI m"}],
        tuning={"lr": "1e-3, on seeds 1000-1002"},
    )
    report = LabReport.of(info, result, fast=True, seed=3, seeds=(3, 4))
    data = report.to_dict()
    assert list(data) == [
        "lab", "question", "title", "key_figure", "metrics", "claims", "figures", "models",
        "tuning", "fast", "seed", "seeds", "wall_seconds", "environment", "supported",
    ]  # fmt: skip
    assert (data["lab"], data["question"], data["seed"]) == ("demo", "demo-question", 3)
    assert data["seeds"] == [3, 4]
    assert data["metrics"] == {"accuracy": 0.5, "by_size": {"small": 1.0}}
    assert data["claims"][0] == {
        "text": "c", "supported": True, "evidence": "e", "measure": "gain", "estimate": 0.2,
        "ci": [0.1, 0.3], "ci_over": "2 seeds x 8 items", "seeds": [3, 4], "verdict": "supported",
    }  # fmt: skip
    assert data["claims"][1]["ci"] is None
    assert data["claims"][1]["verdict"] == "not supported here"
    assert data["models"][0]["parameters"] == 10
    assert data["tuning"] == {"lr": "1e-3, on seeds 1000-1002"}
    assert data["supported"] is False


def test_metrics_must_be_a_dataclass() -> None:
    info = LabInfo("demo", "demo-question", "a claim", 1)
    report = LabReport.of(info, LabResult("t", "k", {"accuracy": 0.5}, []))
    with pytest.raises(TypeError, match="dataclass"):
        report.to_dict()
