"""How well the importer reads real-world articles: recall, precision and key accuracy per
layout family and language, against expectations written by hand before the parser saw
the articles.

    .venv/bin/python benchmarks/import_quality.py [--problems] [FOLDER ...]

Default folders: ``tests/fixtures/real_world`` (the layouts of issue 8: answer markers, Q&A
notes, end matter, answer keys, option layouts, page furniture, numbering, multi-answer
prose, cosmetics, saved HTML pages) and ``tests/fixtures/articles`` (the fixtures of issue 2,
for regressions). ``--problems`` lists every question that did not come out right.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from llmiq.ingest.evaluation import Score, score_file

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = [ROOT / "tests/fixtures/real_world", ROOT / "tests/fixtures/articles"]


def _group(expectation: Path) -> tuple[str, str, str]:
    """(corpus, family, language): the real-world corpus names files
    ``family_lang_slug``; issue 2's fixtures, in ``tests/fixtures/articles``, are one family."""
    name = expectation.name.removesuffix(".expect.json")
    lang = "zh" if "_zh_" in f"_{name}_" or name.startswith("zh_") else "en"
    if expectation.parent.name == "articles":
        return "issue 2", "issue-2 fixtures", lang
    return "real world", name.split("_")[0], lang


def _row(name: str, score: Score) -> str:
    return (
        f"{name:<28} {score.files:>5} {score.expected:>8} {score.imported:>8} {score.right:>6}"
        f" {score.recall:>7.0%} {score.precision:>9.0%} {score.key_accuracy:>8.0%}"
        f" {score.titles_right:>3}/{score.files:<3} {score.leaks:>5} {score.failed_files:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT_FOLDERS)
    parser.add_argument("--problems", action="store_true", help="List what came out wrong.")
    args = parser.parse_args()

    by_group: dict[tuple[str, str], Score] = defaultdict(Score)
    by_lang: dict[tuple[str, str], Score] = defaultdict(Score)
    for folder in args.folders:
        for expectation in sorted(folder.glob("*.expect.json")):
            corpus, family, lang = _group(expectation)
            score = score_file(expectation)
            by_group[family, lang] += score
            by_lang[corpus, lang] += score

    header = (
        f"{'family':<28} {'files':>5} {'expected':>8} {'imported':>8} {'right':>6}"
        f" {'recall':>7} {'precision':>9} {'keys':>8} {'title':>7} {'leaks':>5} {'failed':>6}"
    )
    print(header)
    for (family, lang), score in sorted(by_group.items()):
        print(_row(f"{family} ({lang})", score))
    print()
    for (corpus, lang), score in sorted(by_lang.items()):
        print(_row(f"{corpus}, {lang}", score))
    for corpus in sorted({c for c, _ in by_lang}):
        total = Score()
        for (c, _), score in by_lang.items():
            if c == corpus:
                total += score
        print(_row(f"{corpus}, all", total))
    if args.problems:
        print()
        for score in by_group.values():
            for problem in score.problems:
                print(problem)


if __name__ == "__main__":
    main()
