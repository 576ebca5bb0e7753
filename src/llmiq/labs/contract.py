"""What a lab is: the contract every module registered in ``registry.LABS`` keeps.

A lab is a module (or a package whose ``__init__`` exposes these names) under ``llmiq.labs``
named after its id (``vector-store`` -> ``llmiq.labs.vector_store``) that provides

- ``Config``: a dataclass whose every field has a commented default (the full run, a few
  minutes at most on 2 CPU cores), and a ``fast()`` classmethod returning the seconds-long
  configuration ``llmiq lab run --fast`` and the tests use;
- ``Metrics``: the dataclass of what it measured, written to report.json field by field;
- ``run(config, context) -> LabResult``: the experiment. It draws every random number from
  ``context.seed`` (the runner has seeded Python, NumPy and torch with it), writes its
  figures with ``context.save_figure`` and returns the title, key figure, ``Metrics``,
  claims and figure paths. The runner files the result under the lab's card (its id and the
  question it backs, from the registry), times it and writes report.json.

The card itself (id, question, claim, typical seconds) lives in the registry, not in the
module, so that listing the labs never imports torch. Adding a lab is writing its module(s)
and adding its card to ``registry.LABS``; ``tests/labs/test_contract.py`` checks every
registered lab against this file.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any, Protocol, runtime_checkable

from llmiq.labs.context import LabContext
from llmiq.labs.report import LabResult


class LabConfig(Protocol):
    """A lab's ``Config`` dataclass: ``Config()`` is the full run, ``Config.fast()`` the fast."""

    @classmethod
    def fast(cls) -> Any: ...


@runtime_checkable
class Lab(Protocol):
    """A lab module (see the module docstring)."""

    Config: type[LabConfig]
    Metrics: type

    def run(self, config: Any, context: LabContext) -> LabResult[Any]: ...


def contract_problems(lab: object) -> list[str]:
    """What keeps ``lab`` (a module) from being a lab; empty when it keeps the contract."""
    if not isinstance(lab, Lab):
        missing = [name for name in ("Config", "Metrics", "run") if not hasattr(lab, name)]
        return [f"missing {', '.join(missing)}"]
    problems = []
    config_class: Any = lab.Config
    if not dataclasses.is_dataclass(config_class):
        problems.append("Config is not a dataclass")
    else:
        without_default = [
            f.name
            for f in dataclasses.fields(config_class)
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        if without_default:
            problems.append(f"Config fields without a default: {', '.join(without_default)}")
        fast = config_class.fast()
        if not isinstance(fast, config_class):
            problems.append("Config.fast() does not return a Config")
        elif fast == config_class():
            problems.append("Config.fast() is the full config")
    if not dataclasses.is_dataclass(lab.Metrics):
        problems.append("Metrics is not a dataclass")
    parameters = list(inspect.signature(lab.run).parameters)
    if parameters != ["config", "context"]:
        problems.append(f"run takes ({', '.join(parameters)}), not (config, context)")
    return problems
