"""Accuracy and position bias of a model on interview questions, plain and with each
correction, side by side in one run.

    .venv/bin/python benchmarks/exam_bias.py --model smollm2-135m-instruct [--lang en]
    .venv/bin/python benchmarks/exam_bias.py --model gemma3-270m --bank seed

The default bank is built here from the real-world import corpus (tests/fixtures/
real_world: interview questions written for the importer's tests, in the layouts people
publish): every single-answer choice question of the chosen language, once. For each of
none / contextual / pride / permute it prints accuracy, RStd (the spread of recall by the
answer's position), the share of each chosen position, forward passes per question and
seconds. Scores are measured once per distinct prompt and shared between methods.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from llmiq.bank.catalog import resolve_bank
from llmiq.bank.model import Bank
from llmiq.errors import LlmiqError
from llmiq.exam.backends import BACKENDS
from llmiq.exam.runner import ExamConfig, run_exam
from llmiq.ingest import import_article

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real_world"


def corpus_bank(lang: str) -> Bank:
    """Single-answer choice questions of the corpus in ``lang``, each prompt once."""
    questions, seen = [], set()
    for article in sorted(CORPUS.glob(f"*_{lang}_*")):
        if article.name.endswith(".json"):
            continue
        try:
            bank = import_article(article, bank_id="corpus").bank
        except LlmiqError:
            continue
        for n, question in enumerate(bank.questions):
            prompt = question.prompt.get(lang)
            if question.kind.value != "single" or prompt in seen or len(question.options) < 2:
                continue
            seen.add(prompt)
            questions.append(question.model_copy(update={"id": f"{article.stem[:40]}-{n}"}))
    return Bank.model_validate(
        {"id": f"corpus-{lang}", "title": f"import corpus ({lang})", "questions": questions}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="smollm2-135m-instruct")
    parser.add_argument("--lang", choices=["en", "zh"], default="en")
    parser.add_argument("--bank", help="A bank id or file instead of the corpus bank.")
    args = parser.parse_args()
    bank = resolve_bank(args.bank) if args.bank else corpus_bank(args.lang)
    choice = [q for q in bank.questions if q.is_choice]
    print(f"{args.model} on {bank.id} ({args.lang}): {len(choice)} choice questions")
    cache: dict[str, list[float]] = {}
    with BACKENDS.load(args.model) as backend:
        print(f"{'debias':<11} {'accuracy':>8} {'RStd':>6}  {'chosen positions':<34} "
              f"{'passes/q':>8} {'seconds':>8}")  # fmt: skip
        for method in ("none", "contextual", "pride", "permute"):
            started = time.perf_counter()
            report = run_exam(bank, backend, ExamConfig(debias=method, lang=args.lang), cache=cache)
            seconds = time.perf_counter() - started
            s = report.summary()
            shares = " ".join(f"{k} {v:.2f}" for k, v in s["choice_shares"].items())
            rstd = "-" if s["rstd"] is None else f"{s['rstd']:.3f}"
            print(f"{method:<11} {s['accuracy']:>8.1%} {rstd:>6}  {shares:<34} "
                  f"{s['passes_per_question']:>8.2f} {seconds:>8.1f}")  # fmt: skip
    recall = run_exam(bank, BACKENDS.load("chance"), ExamConfig(lang=args.lang)).summary()
    gold = {k: sum(1 for q in choice if q.answer[0] == k) / len(choice) for k in "ABCDE"}
    print("share of answers by position: " + " ".join(f"{k} {v:.2f}" for k, v in gold.items() if v))
    print(f"always-A baseline: {recall['accuracy']:.1%}")


if __name__ == "__main__":
    main()
