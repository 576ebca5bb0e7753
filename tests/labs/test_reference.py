"""The reference runs shipped for the web app: one full run per lab, with its figures."""

from __future__ import annotations

import json

import pytest

from llmiq.labs.registry import LAB_INFO, lab_ids
from llmiq.labs.uncertainty import TUNING_SEEDS
from llmiq.web.labs_panel import reference_lab_dir


@pytest.mark.parametrize("lab_id", lab_ids())
def test_every_lab_has_a_full_reference_run(lab_id: str) -> None:
    folder = reference_lab_dir(lab_id)
    report = json.loads((folder / "report.json").read_text("utf-8"))
    assert report["lab"] == lab_id
    assert report["question"] == LAB_INFO[lab_id].question
    assert report["fast"] is False
    assert report["supported"] == all(claim["supported"] for claim in report["claims"])
    assert report["figures"]
    for name in report["figures"]:
        assert "/" not in name
        assert (folder / name).read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("lab_id", lab_ids())
def test_every_verdict_of_a_reference_run_rests_on_an_interval_over_three_seeds(
    lab_id: str,
) -> None:
    report = json.loads((reference_lab_dir(lab_id) / "report.json").read_text("utf-8"))
    assert len(report["seeds"]) >= 3
    assert not set(report["seeds"]) & set(TUNING_SEEDS)
    for claim in report["claims"]:
        low, high = claim["ci"]
        assert low <= claim["estimate"] <= high, claim["text"]
        assert claim["measure"], claim["text"]
        assert claim["ci_over"], claim["text"]
        assert len(set(claim["seeds"])) >= 3, claim["text"]
        assert set(claim["seeds"]) <= set(report["seeds"]), claim["text"]
    for model in report["models"]:
        assert set(model) >= {"id", "name", "parameters", "source"}
        assert model["parameters"] > 0
