"""The reference runs shipped for the web app: one full run per lab, with its figures."""

from __future__ import annotations

import json

import pytest

from llmiq.labs.registry import LAB_INFO, lab_ids
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
