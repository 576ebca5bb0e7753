"""Which library turns a saved web page into article text that the importer can read.

    .venv/bin/python benchmarks/html_extraction.py [--repeat 5]

Pages: ``tests/fixtures/html/*.html`` (written for this: navigation, sidebars, cookie
banners, comments and footers around an article) and any ``tests/fixtures/real_world/*.html``.
Each has ``NAME.expect.json``: ``keep`` (lines that must survive: prompts, options, answer
lines, ``<details>`` lines, code; whitespace-normalised substrings of the text) and
``absent`` (page furniture that must not). real_world pages give their questions'
``prompt_contains`` as ``keep``, and their ``absent`` phrases must stay out of the bank
(they include end matter the article parser, not the extraction, leaves out).

Per candidate it prints the share of ``keep`` found, the furniture that leaked, the
questions the article parser then imports, and the median time per page. The candidates
that are not installed are skipped (only readability-lxml is a dependency of llmiq).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).parents[1]
PAGES = [*sorted((ROOT / "tests/fixtures/html").glob("*.htm*")),
         *sorted((ROOT / "tests/fixtures/real_world").glob("*.htm*"))]  # fmt: skip
_SPACE = re.compile(r"\s+")


def _trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(
        html, output_format="markdown", include_formatting=True, include_tables=True,
        include_comments=False, include_links=False, with_metadata=False,
    ) or ""  # fmt: skip


def _readability_markdownify(html: str) -> str:
    import markdownify
    from readability import Document

    return markdownify.markdownify(Document(html).summary(html_partial=True), heading_style="ATX")


def _readability_html2text(html: str) -> str:
    import html2text
    from readability import Document

    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.ignore_links = True
    converter.ignore_images = True
    return converter.handle(Document(html).summary(html_partial=True))


def _llmiq(html: str) -> str:
    from llmiq.ingest.html import html_to_text

    return html_to_text(html)


CANDIDATES: dict[str, Callable[[str], str]] = {
    "trafilatura (markdown)": _trafilatura,
    "readability + markdownify": _readability_markdownify,
    "readability + html2text": _readability_html2text,
    "llmiq.ingest.html (readability, prepared)": _llmiq,
}


def _expectation(page: Path) -> tuple[list[str], list[str]]:
    expect = json.loads(page.with_suffix(".expect.json").read_text("utf-8"))
    keep = expect.get("keep") or [q["prompt_contains"] for q in expect.get("questions", [])]
    return keep, expect.get("absent", [])


def _parse(text: str) -> tuple[int, str]:
    """How many questions the article parser takes from ``text``, and the bank as text."""
    from llmiq.errors import LlmiqError
    from llmiq.ingest.article import parse_article

    try:
        bank = parse_article(text, name="page", bank_id="page").bank
    except LlmiqError:
        return 0, ""
    return len(bank.questions), json.dumps(bank.model_dump(mode="json"), ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pages = [p for p in PAGES if p.with_suffix(".expect.json").exists()]
    print(f"{len(pages)} pages: {', '.join(p.stem for p in pages)}\n")
    for label, extract in CANDIDATES.items():
        try:
            extract("<html><body><p>warm up</p></body></html>")
        except ImportError as exc:
            print(f"{label}: not installed ({exc.name})\n")
            continue
        kept = wanted = questions = 0
        leaked: list[str] = []
        missing: list[str] = []
        times: list[float] = []
        for page in pages:
            html = page.read_text("utf-8")
            keep, absent = _expectation(page)
            runs = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                text = extract(html)
                runs.append(time.perf_counter() - started)
            times.append(statistics.median(runs))
            flat = _SPACE.sub(" ", text)
            found = [k for k in keep if _SPACE.sub(" ", k) in flat]
            kept += len(found)
            wanted += len(keep)
            missing += [f"{page.stem}: {k}" for k in keep if k not in found]
            count, bank = _parse(text)
            questions += count
            # Our pages list furniture, which must leave the text; real_world pages list end
            # matter too (a scoring guide), which the article parser must keep out of the bank.
            where = bank if "real_world" in page.parts else text
            leaked += [f"{page.stem}: {a}" for a in absent if a in where]
        print(
            f"{label}\n  kept {kept}/{wanted} lines, furniture leaked {len(leaked)}, "
            f"questions imported {questions}, median {1000 * statistics.median(times):.1f} ms "
            f"per page (max {1000 * max(times):.1f} ms)"
        )
        for line in missing:
            print(f"    lost: {line}")
        for line in leaked:
            print(f"    leaked: {line}")
        print()


if __name__ == "__main__":
    main()
