from __future__ import annotations

import doctest
import importlib
import pkgutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from llmiq.labs.report import LabReport
from llmiq.labs.runner import run_lab


@pytest.fixture(scope="session")
def fast_report(
    tmp_path_factory: pytest.TempPathFactory, model_home: Path
) -> Callable[[str], LabReport]:
    """``fast_report("attention")``: the lab run once per test session in --fast mode (seed 0,
    no lab cache; real language models from the session's ``model_home``), shared by every
    test that reads its report."""
    reports: dict[str, LabReport] = {}

    def get(lab_id: str) -> LabReport:
        if lab_id not in reports:
            out = tmp_path_factory.mktemp(lab_id)
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("LLMIQ_HOME", str(model_home))
                reports[lab_id] = run_lab(
                    lab_id, fast=True, seed=0, out_dir=out, show_progress=False
                )
        return reports[lab_id]

    return get


@pytest.fixture(scope="module")
def one_torch_thread_in_module() -> Iterator[None]:
    """Torch on one thread for a whole test module, model loading included, as the labs run
    their forwards (two threads on a shared 2-core machine were measured many times slower)."""
    from llmiq.labs.context import torch_threads

    with torch_threads(1):
        yield


def run_doctests(module: ModuleType, **options: object) -> doctest.TestResults:
    """The docstring examples of a module, or of a package and every module in it."""
    modules = [module]
    if hasattr(module, "__path__"):
        modules += [
            importlib.import_module(f"{module.__name__}.{info.name}")
            for info in pkgutil.iter_modules(module.__path__)
        ]
    results = [doctest.testmod(m, **options) for m in modules]  # type: ignore[arg-type]
    return doctest.TestResults(sum(r.failed for r in results), sum(r.attempted for r in results))


@pytest.fixture(name="run_doctests")
def run_doctests_fixture() -> Callable[..., doctest.TestResults]:
    """``run_doctests(package)``: the docstring examples of the package's every module."""
    return run_doctests
