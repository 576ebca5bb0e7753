"""Account names: NFKC, and no name that looks like one already taken (UTS #39 skeletons),
from the command line (the web's registration is tested in tests/web/test_registration_names.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from llmiq.account_names import lookalike, normalise_name, skeletons

PASSWORD = "a long enough password\n"


def test_nfkc_makes_compatibility_forms_plain() -> None:
    assert normalise_name("ｂｏｂ") == "bob"  # full-width
    assert normalise_name(" ﬁona ") == "fiona"  # the fi ligature, blanks around
    assert normalise_name("bоb") == "bоb"  # a Cyrillic о is no compatibility form: kept


@pytest.mark.parametrize(
    ("new", "taken"),
    [
        ("bоb", "bob"),  # Cyrillic о
        ("ВОВ", "BOB"),  # all Cyrillic
        ("аdа", "ada"),  # Cyrillic а twice
        ("rn", "m"),
        ("lris", "Iris"),  # capital I looks like l
        ("𝔭𝒶ỿ𝕡𝕒ℓ", "paypal"),
        ("Ada", "ada"),  # letter case
    ],
)
def test_look_alikes_are_found(new: str, taken: str) -> None:
    assert new != taken
    assert lookalike(new, ["someone", taken]) == taken


@pytest.mark.parametrize(("new", "taken"), [("bob", "rob"), ("张三", "张王"), ("борис", "boris")])
def test_different_names_are_not_look_alikes(new: str, taken: str) -> None:
    assert lookalike(new, [taken]) is None
    assert not skeletons(new) & skeletons(taken)


def create(data_home: Path, name: str) -> subprocess.CompletedProcess[str]:
    code = "from llmiq.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "account", "create", name, "--password-stdin"],
        input=PASSWORD,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LLMIQ_HOME": str(data_home)},
    )


def test_the_command_line_refuses_a_look_alike_in_one_sentence(data_home: Path) -> None:
    assert create(data_home, "bob").returncode == 0
    refused = create(data_home, "bоb")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        "Error: the name 'bоb' looks like the name 'bob', which is taken; choose another"
    )
    assert refused.stdout == ""
    assert "is taken by an account" in create(data_home, "ｂｏｂ").stderr  # NFKC: bob again
    made = create(data_home, "ｆｉｏｎａ")
    assert made.stdout.strip() == "Created account 'fiona'"


def test_without_pyicu_the_command_line_says_what_to_install(data_home: Path) -> None:
    code = (
        "import sys; sys.modules['icu'] = None;"  # as if PyICU were not installed
        "from llmiq.cli import main; sys.argv = ['llmiq', 'account', 'create', 'ada']; main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LLMIQ_HOME": str(data_home)},
    )
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "Error: account names are checked against look-alikes with PyICU: pip install 'llmiq[web]'"
    )
