"""One set of format names in both front ends: the command line's ``export -f`` and
``import --format`` choices, and the web app's download links, come from the registries."""

from __future__ import annotations

import re
from typing import Any

import click

from llmiq.cli import cli
from llmiq.export.formats import EXPORT_FORMATS
from llmiq.ingest.formats import AUTO, IMPORT_FORMATS


def _choices(command: str, option: str) -> list[str]:
    found = cli.commands[command]
    (param,) = [p for p in found.params if option in p.opts]
    assert isinstance(param.type, click.Choice)
    return list(param.type.choices)


def test_the_command_line_offers_the_registered_formats() -> None:
    assert _choices("export", "--format") == [f.name for f in EXPORT_FORMATS]
    assert _choices("import", "--format") == [AUTO, *(f.name for f in IMPORT_FORMATS)]


def test_the_bank_page_links_every_export_format_by_its_name(make_app: Any, client_of: Any) -> None:
    client = client_of(make_app())
    page = client.get("/banks/seed").text
    # suffixes and names may hold dots and hyphens: the lm-eval folder downloads as .lm-eval.zip
    links = re.findall(r'href="/banks/seed/export\.([\w.-]+)" download>([\w-]+)</a>', page)
    assert links == [(f.suffix, f.name) for f in EXPORT_FORMATS]
    for fmt in EXPORT_FORMATS:
        response = client.get(f"/banks/seed/export.{fmt.suffix}")
        assert response.status_code == 200
        assert response.headers["content-type"] == fmt.media_type
        assert f'filename="seed.{fmt.suffix}"' in response.headers["content-disposition"]
