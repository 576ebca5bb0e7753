"""How fast llmiq's letter scoring could be on this CPU at best, next to half of lm-eval's time.

    .venv/bin/python benchmarks/exam_cpu_bound.py [--model smollm2-135m-instruct]
        [--lang en|zh] [--bf16]

The bank, model and lm-eval run are those of ``exam_vs_lm_eval.py``. Whatever a tool does,
every position of every question's prompt must go through every linear layer of the model
(attention projections and MLP; the output layer runs only where a letter is scored). So
the linear layers' multiply-adds, divided by the fastest rate at which this CPU multiplies
those very matrices in fp32 (each linear layer of the model on a random input, alone, at
several input sizes; the best rate is kept), is a lower bound on llmiq's scoring time that
no packing or caching can beat without changing the numerics. Printed next to it: lm-eval's
wall time for the same letter scoring, half of it (the goal), and llmiq's own time.

``--bf16`` also scores the bank with the model in bfloat16 (about twice the multiply rate
on CPUs with AVX512-BF16) and prints how far its log-likelihoods move from fp32's and how
many choices change: the price of the only way under the bound.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from exam_vs_lm_eval import _warm, corpus_bank, run_llmiq, run_lm_eval  # a sibling script

from llmiq.atomic import write_folder_atomic
from llmiq.bank.model import Bank, Lang
from llmiq.exam.backends import BACKENDS
from llmiq.exam.debias import request_key
from llmiq.exam.hf_backend import TransformersBackend
from llmiq.exam.local_models import SMOLLM2, resolve_model
from llmiq.exam.prompts import Shown, letter_request
from llmiq.exam.runner import ExamConfig, run_exam
from llmiq.export.formats import export_format

SIZES = (256, 512, 1024, 2048)  # input rows per product; llmiq's passes run ~500-2,500


def positions_needed(backend: TransformersBackend, bank: Bank, lang: Lang) -> int:
    """The fewest positions any tool must run for letter scoring: the tokens every prompt
    starts with once, then each question's own context tokens (its continuations are single
    letters, scored from the context's last position)."""
    contexts = [
        backend.encode(letter_request(Shown(q, tuple(range(len(q.options)))), lang)).context
        for q in bank.questions
    ]
    first = contexts[0]
    shared = min(
        next((i for i, (a, b) in enumerate(zip(first, c, strict=False)) if a != b), len(c))
        for c in contexts
    )
    return shared + sum(len(c) - shared for c in contexts)


def linear_weights(model: Any) -> list[Any]:
    """The weight of every linear layer a position runs through (not the output layer)."""
    import torch

    output = model.get_output_embeddings()
    return [m.weight for m in model.modules() if isinstance(m, torch.nn.Linear) and m is not output]


def best_rate(weights: list[Any]) -> tuple[float, int]:
    """The fastest fp32 rate (FLOP/s) at which this CPU runs all ``weights`` as products,
    over the input sizes in ``SIZES``, and the size that gave it."""
    import torch

    flops_per_row = 2 * sum(w.numel() for w in weights)
    best = (0.0, 0)
    with torch.inference_mode():
        for rows in SIZES:
            inputs = {w.shape[1]: torch.randn(rows, w.shape[1]) for w in weights}
            timings = []
            for _ in range(3):
                started = time.perf_counter()
                for w in weights:
                    torch.nn.functional.linear(inputs[w.shape[1]], w)
                timings.append(time.perf_counter() - started)
            best = max(best, (rows * flops_per_row / min(timings), rows))
    return best


def bf16_run(folder: Path, bank: Bank, lang: Lang) -> tuple[float, dict[str, list[float]]]:
    """Scoring time and each question's log-likelihoods, the model in bfloat16."""
    import torch

    backend = BACKENDS.load(f"hf:{folder}")
    backend.model.to(torch.bfloat16)
    cache: dict[str, list[float]] = {}
    started = time.perf_counter()
    run_exam(bank, backend, ExamConfig(scoring="letter", lang=lang), cache=cache)
    seconds = time.perf_counter() - started
    backend.close()
    return seconds, {
        q.id: cache[request_key(letter_request(Shown(q, tuple(range(len(q.options)))), lang))]
        for q in bank.questions
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=SMOLLM2, help="a built-in model (default: %(default)s)")
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    parser.add_argument("--bf16", action="store_true", help="also score in bfloat16")
    args = parser.parse_args(argv)

    import torch

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    torch.set_num_threads(cores or 1)
    bank = corpus_bank(args.lang, None)
    folder = Path(resolve_model(args.model).location)
    _warm(folder)
    with tempfile.TemporaryDirectory() as tmp:
        tasks_dir = Path(tmp) / "task"
        write_folder_atomic(tasks_dir, export_format("lm-eval").write_folder(bank, args.lang))
        theirs = run_lm_eval(folder, tasks_dir, bank, "letter")
    ours = run_llmiq(folder, bank, "letter", args.lang)

    backend = BACKENDS.load(f"hf:{folder}")
    assert isinstance(backend, TransformersBackend)
    positions = positions_needed(backend, bank, args.lang)
    weights = linear_weights(backend.model)
    params = sum(w.numel() for w in weights)
    rate, rows = best_rate(weights)
    flops = 2 * positions * params
    bound = flops / rate
    n = len(bank.questions)
    print(f"{args.model}, {n} questions ({args.lang}), letter scoring, "
          f"{torch.get_num_threads()} torch threads")  # fmt: skip
    print(f"lm-eval wall time                   {theirs.seconds:6.1f} s")
    print(f"  half of it (the goal)             {theirs.seconds / 2:6.1f} s")
    ratio, alone = ours.seconds / theirs.seconds, ours.scoring_seconds
    print(f"llmiq wall time                     {ours.seconds:6.1f} s "
          f"({ratio:.2f}x; scoring alone {alone:.1f} s)")  # fmt: skip
    print(f"positions that must run             {positions:6,d}")
    print(f"linear parameters per position      {params / 1e6:6.1f} M")
    print(f"their multiply-adds                 {flops / 1e12:6.2f} TFLOP")
    print(f"fastest fp32 rate for these layers  {rate / 1e9:6.0f} GFLOP/s "
          f"(inputs of {rows} rows, products alone)")  # fmt: skip
    print(f"lower bound, linear layers alone    {bound:6.1f} s "
          f"({bound / theirs.seconds:.2f}x lm-eval; attention, norms and activations "
          f"not counted)")  # fmt: skip
    if args.bf16:
        seconds, lls = bf16_run(folder, bank, args.lang)
        moved, flips = 0.0, 0
        for q in bank.questions:
            a, b = ours.logprobs[q.id], lls[q.id]
            pairs = [(i, j) for i in range(len(a)) for j in range(len(a))]
            moved = max(moved, *(abs((a[i] - a[j]) - (b[i] - b[j])) for i, j in pairs))
            flips += ours.choice[q.id] != max(range(len(b)), key=lambda i: (b[i], -i))
        print(f"bf16 scoring alone                  {seconds:6.1f} s; {flips} of {n} "
              f"choices differ from fp32; option log-likelihood differences move by up to "
              f"{moved:.2f} nats")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
