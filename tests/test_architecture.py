"""What the layer contracts of pyproject.toml (checked by ``lint-imports`` in ``make lint``)
do not cover: small modules, and help for every command."""

from __future__ import annotations

from pathlib import Path

import click

from llmiq.cli import cli

SOURCE = Path(__file__).resolve().parents[1] / "src" / "llmiq"
MAX_LINES = 600


def test_no_source_file_is_over_600_lines() -> None:
    sizes = {
        path.relative_to(SOURCE).as_posix(): len(path.read_text("utf-8").splitlines())
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
    }
    assert len(sizes) > 50  # the tree was found
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        found[prefix + name] = command
        if isinstance(command, click.Group):
            found |= _commands(command, f"{prefix}{name} ")
    return found


def test_every_command_has_help_and_a_module_of_its_area() -> None:
    commands = _commands(cli)
    assert {"quiz", "import", "export", "lab run", "profile create"} <= set(commands)
    for name, command in commands.items():
        assert command.help, f"llmiq {name} has no help text"
        assert command.callback is not None
        assert command.callback.__module__.startswith("llmiq.cli."), name


def test_bank_links_to_labs_and_lab_cards_agree() -> None:
    """A question's ``lab:`` names a registered lab, and each lab's card names a built-in
    question that links back to it: the two ends of one link cannot drift apart."""
    from llmiq.bank.catalog import builtin_entries, load_entry
    from llmiq.labs.registry import LAB_INFO

    linked = {
        question.id: question.lab
        for entry in builtin_entries()
        for question in load_entry(entry).questions
        if question.lab is not None
    }
    assert set(linked.values()) <= set(LAB_INFO)
    for lab_id, card in LAB_INFO.items():
        assert linked.get(card.question) == lab_id, f"{lab_id}: question {card.question!r}"
