"""``llmiq exam run`` against lm-evaluation-harness: same model, same questions, same prompts,
in one run.

    .venv/bin/python benchmarks/exam_vs_lm_eval.py [--model smollm2-135m-instruct|gemma3-270m]
        [--questions N] [--lang en|zh]

The questions: every single-answer choice question the importer finds in the real-world
corpus (``tests/fixtures/real_world``), written in ``--lang``, deduplicated by prompt (lm-eval
scores a repeated request once, so repeats would flatter it). The model: a built-in one's
converted safetensors folder, which both tools load from disk. The prompts: the bank exported
with ``llmiq export -f lm-eval`` (its letter and cloze tasks), which sends exactly the
requests ``llmiq exam run`` sends (``tests/export/test_lm_eval.py``).

For each scoring (letter, cloze), lm-eval runs first (``simple_evaluate``, ``model="hf"``,
``dtype=float32``, no request cache; at lm-eval's default batch size, 1, and at 8, its
fastest here), then llmiq (``hf:FOLDER`` loaded,
``run_exam``); each wall time covers loading the model and scoring, from the same warm file
cache, on the same number of torch threads. Printed: accuracy, wall time, questions/s, the
ratio of wall times, how many questions got the same choice from both (and, for cloze, the
same ``acc_norm`` and ``acc_bytes`` verdicts), the largest difference between the two tools'
log-likelihoods, and every question where they differ.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Before lm-eval, datasets and transformers are imported: nothing is fetched, no bars drawn.
for _name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TQDM_DISABLE"):
    os.environ.setdefault(_name, "1")

from llmiq.atomic import write_folder_atomic  # noqa: E402
from llmiq.bank.model import Bank, Lang, Question, Text  # noqa: E402
from llmiq.errors import LlmiqError  # noqa: E402
from llmiq.exam.backends import BACKENDS  # noqa: E402
from llmiq.exam.debias import request_key  # noqa: E402
from llmiq.exam.lm_eval_task import task_name  # noqa: E402
from llmiq.exam.local_models import SMOLLM2, resolve_model  # noqa: E402
from llmiq.exam.prompts import Shown, cloze_request, letter_request  # noqa: E402
from llmiq.exam.runner import ExamConfig, run_exam  # noqa: E402
from llmiq.export.formats import export_format  # noqa: E402
from llmiq.ingest import import_article  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "real_world"
BATCH_SIZE = 8  # lm-eval's fastest on this bank here (1: 1.6x its time, 32: 1.2x)
DEFAULT_BATCH_SIZE = 1  # what ``lm_eval`` uses when not told otherwise
SCORINGS = ("letter", "cloze")


def corpus_bank(lang: Lang, limit: int | None) -> Bank:
    """The corpus's distinct single-answer choice questions written in ``lang``."""
    seen: set[str] = set()
    questions: list[Question] = []
    for path in sorted(CORPUS.iterdir()):
        if path.suffix not in (".md", ".txt", ".html") or path.name == "README.md":
            continue
        try:
            found = import_article(path, bank_id="corpus").bank.questions
        except LlmiqError:
            continue
        for q in found:
            prompt = q.prompt.get(lang).strip()
            if (
                q.kind.value != "single"
                or not q.prompt.has(lang)
                or not all(o.text.has(lang) for o in q.options)
                or len(q.options) > 10
                or prompt in seen
            ):
                continue
            seen.add(prompt)
            questions.append(q.model_copy(update={"id": f"q{len(questions) + 1:03d}"}))
    title = Text(en="Real-world corpus, single-answer questions")
    return Bank(id="real-world", title=title, questions=questions[:limit])


@dataclass
class Run:
    """One tool's answers to one scoring: per question id, the log-likelihood of each option
    (in bank order) and the chosen option's index; cloze adds the acc_norm/acc_bytes
    verdicts."""

    seconds: float  # wall time: loading the model and scoring
    cpu: float  # CPU time of this process over the same span (all threads)
    accuracy: float
    logprobs: dict[str, list[float]]
    choice: dict[str, int]
    norm: dict[str, bool]
    bytes: dict[str, bool]
    scoring_seconds: float | None = None  # llmiq: run_exam alone, without loading


def _argmax(values: list[float]) -> int:
    return max(range(len(values)), key=lambda i: (values[i], -i))  # first of equals, as np


def run_lm_eval(
    folder: Path, tasks_dir: Path, bank: Bank, scoring: str, batch_size: int = BATCH_SIZE
) -> Run:
    import lm_eval
    from lm_eval.tasks import TaskManager

    task = task_name(bank.id, cloze=scoring == "cloze")
    started, cpu = time.perf_counter(), time.process_time()
    manager = TaskManager(include_path=str(tasks_dir), include_defaults=False)
    results: Any = lm_eval.simple_evaluate(
        model="hf",
        model_args=f"pretrained={folder},dtype=float32",
        tasks=[task],
        task_manager=manager,
        batch_size=batch_size,
        device="cpu",
        log_samples=True,
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    run = Run(seconds, cpu, results["results"][task]["acc,none"], {}, {}, {}, {})
    for sample in results["samples"][task]:
        qid = sample["doc"]["id"]
        lls = [float(ll) for ll, _greedy in sample["filtered_resps"]]
        run.logprobs[qid], run.choice[qid] = lls, _argmax(lls)
        if scoring == "cloze":
            run.norm[qid], run.bytes[qid] = sample["acc_norm"] == 1.0, sample["acc_bytes"] == 1.0
    return run


def run_llmiq(folder: Path, bank: Bank, scoring: str, lang: Lang) -> Run:
    started, cpu = time.perf_counter(), time.process_time()
    backend = BACKENDS.load(f"hf:{folder}")
    cache: dict[str, list[float]] = {}  # every request's log-likelihoods, as measured
    report = run_exam(bank, backend, ExamConfig(scoring=scoring, lang=lang), cache=cache)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    backend.close()
    build = letter_request if scoring == "letter" else cloze_request
    run = Run(seconds, cpu, report.summary()["accuracy"] or 0.0, {}, {}, {}, {})
    run.scoring_seconds = report.seconds
    for question, outcome in zip(bank.questions, report.questions, strict=True):
        keys = [o.key for o in question.options]
        request = build(Shown(question, tuple(range(len(keys)))), lang)
        run.logprobs[question.id] = cache[request_key(request)]
        run.choice[question.id] = keys.index(outcome.raw_choice[0])
        if scoring == "cloze":
            run.norm[question.id] = bool(outcome.correct_norm)
            run.bytes[question.id] = bool(outcome.correct_bytes)
    return run


def _warm(folder: Path) -> None:
    """Read the weights once, so that neither tool pays for a cold disk; import both."""
    for path in folder.glob("*.safetensors"):
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass
    import lm_eval.models.huggingface  # noqa: F401
    import transformers  # noqa: F401


def compare(bank: Bank, scoring: str, theirs: Run, ours: Run, label: str = "") -> list[str]:
    """Lines for the questions where the two tools differ, each starting with ``label``
    (default: the scoring)."""
    lines = []
    letters = "ABCDEFGHIJ"
    for q in bank.questions:
        verdicts = [(theirs.choice[q.id], ours.choice[q.id])]
        if scoring == "cloze":
            verdicts += [
                (theirs.norm[q.id], ours.norm[q.id]),
                (theirs.bytes[q.id], ours.bytes[q.id]),
            ]
        if all(a == b for a, b in verdicts):
            continue
        a, b = theirs.choice[q.id], ours.choice[q.id]
        lp = "  ".join(
            f"{x:.4f}/{y:.4f}"
            for x, y in zip(theirs.logprobs[q.id], ours.logprobs[q.id], strict=True)
        )
        extra = ""
        if scoring == "cloze":
            extra = (
                f"; acc_norm {theirs.norm[q.id]}/{ours.norm[q.id]}, "
                f"acc_bytes {theirs.bytes[q.id]}/{ours.bytes[q.id]}"
            )
        lines.append(f"  {label or scoring} {q.id}: lm-eval {letters[a]}, llmiq {letters[b]}"
                     f"{extra}; log-likelihoods lm-eval/llmiq {lp}")  # fmt: skip
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SMOLLM2, help="a built-in model (default: %(default)s)")
    parser.add_argument("--questions", type=int, default=None, help="the first N (default: all)")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument(
        "--lm-eval-batch-size",
        type=int,
        nargs="+",
        default=[DEFAULT_BATCH_SIZE, BATCH_SIZE],
        metavar="N",
        help="lm-eval's batch sizes, each a run of its own (default: %(default)s: lm-eval's "
        "own default, and its fastest on this bank here)",
    )
    args = parser.parse_args(argv)
    logging.getLogger("lm_eval").setLevel(logging.ERROR)
    logging.getLogger("lm-eval").setLevel(logging.ERROR)

    import torch

    bank = corpus_bank(args.lang, args.questions)
    folder = Path(resolve_model(args.model).location)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    torch.set_num_threads(cores or 1)  # what llmiq's backend sets: the same for both tools
    _warm(folder)
    load_before = os.getloadavg()[0]  # other work on the machine slows both tools, unevenly
    runs: dict[str, tuple[dict[int, Run], Run]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tasks_dir = Path(tmp) / "task"
        write_folder_atomic(tasks_dir, export_format("lm-eval").write_folder(bank, args.lang))
        for scoring in SCORINGS:
            theirs = {
                size: run_lm_eval(folder, tasks_dir, bank, scoring, size)
                for size in args.lm_eval_batch_size
            }
            runs[scoring] = theirs, run_llmiq(folder, bank, scoring, args.lang)
    n = len(bank.questions)
    print(f"{args.model} ({folder}), {n} distinct single-answer questions ({args.lang}), "
          f"{torch.get_num_threads()} torch threads; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")  # fmt: skip
    print(f"{'scoring':8} {'tool':11} {'accuracy':>8} {'wall s':>7} {'q/s':>6} "
          f"{'llmiq/this':>10} {'cpu s':>6} {'same choice':>11}")  # fmt: skip
    differences: list[str] = []
    for scoring, (theirs, ours) in runs.items():
        for size, run in theirs.items():
            same = sum(run.choice[q.id] == ours.choice[q.id] for q in bank.questions)
            print(f"{scoring:8} {f'lm-eval b{size}':11} {run.accuracy:8.3f} {run.seconds:7.1f} "
                  f"{n / run.seconds:6.2f} {ours.seconds / run.seconds:10.2f} {run.cpu:6.1f} "
                  f"{f'{same}/{n}':>11}")  # fmt: skip
        print(f"{scoring:8} {'llmiq':11} {ours.accuracy:8.3f} {ours.seconds:7.1f} "
              f"{n / ours.seconds:6.2f} {'':10} {ours.cpu:6.1f}")  # fmt: skip
        for size, run in theirs.items():
            gap = max(
                abs(x - y)
                for q in bank.questions
                for x, y in zip(run.logprobs[q.id], ours.logprobs[q.id], strict=True)
            )
            note = f"  {scoring}, b{size}: largest |log-likelihood difference| {gap:.2e}"
            if scoring == "cloze":
                norm = sum(run.norm[q.id] == ours.norm[q.id] for q in bank.questions)
                size_ = sum(run.bytes[q.id] == ours.bytes[q.id] for q in bank.questions)
                acc_norm = sum(run.norm.values()) / n, sum(ours.norm.values()) / n
                note += (
                    f"; same acc_norm verdict {norm}/{n}, same acc_bytes verdict {size_}/{n}"
                    f" (acc_norm lm-eval {acc_norm[0]:.3f}, llmiq {acc_norm[1]:.3f})"
                )
            print(note)
            differences += compare(bank, scoring, run, ours, f"{scoring}, b{size}")
        print(f"  {scoring}: llmiq scoring alone {ours.scoring_seconds:.1f} s")
    print("differences:" if differences else "differences: none")
    for line in differences:
        print(line)
    return 0 if math.isfinite(runs["letter"][1].seconds) else 1


if __name__ == "__main__":
    sys.exit(main())
