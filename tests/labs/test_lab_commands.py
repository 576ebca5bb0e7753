"""The lab commands through the real CLI (the labs themselves are tested beside this)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llmiq.labs.registry import LAB_INFO


def test_lab_list_needs_no_torch(run_cli: Callable) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from llmiq.cli import cli;"
        "r = CliRunner().invoke(cli, ['lab', 'list']); assert r.exit_code == 0, r.output;"
        "sys.exit('torch' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0
    listing = run_cli("lab", "list").output
    for lab_id in LAB_INFO:
        assert lab_id in listing


def test_lab_list_as_json_names_every_question_that_names_the_lab(run_cli: Callable) -> None:
    from llmiq.bank.catalog import builtin_entries, load_entry

    listed = json.loads(run_cli("lab", "list", "--format", "json").output)
    assert [lab["id"] for lab in listed] == list(LAB_INFO)
    naming = {
        f"{bank.id}/{q.id}": q.lab
        for bank in map(load_entry, builtin_entries())
        if bank.id != "all-areas"
        for q in bank.questions
        if q.lab
    }
    for lab in listed:
        assert sorted(lab["questions"]) == sorted(k for k, v in naming.items() if v == lab["id"])
        assert lab["claim"] == LAB_INFO[lab["id"]].claim
        assert lab["question"] in {ref.split("/")[1] for ref in lab["questions"]}


def test_unknown_lab_and_missing_extra_are_one_sentence(
    run_cli: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    unknown = run_cli("lab", "run", "nope", "--fast")
    assert unknown.exit_code == 1
    assert "no lab named 'nope'; labs: calibration, vector-store" in unknown.output

    real_import = importlib.import_module

    def without_torch(name: str, *args: object) -> object:
        if name.startswith("llmiq.labs.") and name != "llmiq.labs.registry":
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_torch)
    missing = run_cli("lab", "run", "attention", "--fast")
    assert missing.exit_code == 1
    assert "pip install 'llmiq[labs]'" in missing.output
    assert len(missing.output.strip().splitlines()) == 1


def test_memory_table(run_cli: Callable) -> None:
    result = run_cli("lab", "memory", "--params", "7e9", "--gpus", "8", "--gpu-mem", "80")
    assert result.exit_code == 0
    assert "7B" in result.output or "7e9" in result.output or "7.0B" in result.output


@pytest.mark.slow
def test_lab_run_json_writes_report_and_figures(run_cli: Callable, tmp_path: Path) -> None:
    result = run_cli("lab", "run", "sampling", "--fast", "--out", str(tmp_path), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["lab"] == "sampling"
    assert report["claims"]
    assert all("verdict" in claim for claim in report["claims"])
    assert (tmp_path / "sampling" / "report.json").is_file()
    for figure in report["figures"]:
        assert Path(figure).read_bytes()[:4] == b"\x89PNG"
