"""``llmiq lab run``'s report in the terminal at 80 columns, printed by the CLI's console:
wrapped claims and evidence keep their indent, and no line ends in spaces."""

from __future__ import annotations

import pytest

from llmiq.cli.options import console
from llmiq.labs.report import Claim, LabReport
from llmiq.labs.uncertainty import Interval
from llmiq.labs.view import reports_view

EVIDENCE = (
    "Max abs error vs F.scaled_dot_product_attention 4.8e-07 (causal 6.0e-07); vs "
    "nn.MultiheadAttention with its weights copied: output 0.0e+00, weights 0.0e+00 (causal "
    "4.8e-07 / 6.0e-08); 2 shapes x 1 seed(s) of random inputs, float32, tolerance 1e-05."
)


def report() -> LabReport:
    claim = Claim(
        text="Scaled dot-product self-attention written from scratch (unmasked and causal, "
        "multi-head) equals PyTorch's.",
        supported=True,
        evidence=EVIDENCE,
        measure="max abs error, from scratch vs torch (float32)",
        interval=Interval(0.0156, 0.0104, 0.0209, "3 seeds x 16 items of random inputs"),
        seeds=(0, 1, 2),
    )
    return LabReport(
        lab="attention",
        question="self-attention",
        title="Self-attention weighs the other words, by context",
        key_figure="from scratch = torch (max err 6e-07); a key figure long enough to wrap",
        metrics=None,
        claims=[claim],
        wall_seconds=7.8,
    )


def test_wrapped_claims_and_evidence_keep_their_indent(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    console().print(reports_view([report()]))
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line != line.rstrip()] == []
    claim = next(n for n, line in enumerate(lines) if line.startswith("  ✓ Scaled"))
    evidence = next(n for n, line in enumerate(lines) if line.startswith("      Max abs"))
    assert claim < evidence
    assert all(line.startswith("    ") for line in lines[claim + 1 : evidence])
    assert evidence - claim == 2  # the claim takes two lines at 80 columns
    below = lines[evidence:]
    assert len(below) >= 5  # evidence and interval line both wrap
    assert all(line.startswith("      ") and line[6] != " " for line in below), below
