"""Word documents converted to Markdown by pandoc: grid tables, escapes, spans."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.pandoc import rewrite_pandoc


def test_escapes_and_spans_become_their_text_and_latex_and_pipes_stay() -> None:
    lines = [
        r"Circle one unless it says \"select all\". See Q5\... or \*note\* \| ok",
        "[]{#_Toc187234501 .anchor}**Instructions** and [underlined]{.underline}",
        r"Math stays: \[ x^2 \] and \( y \)",
    ]
    assert rewrite_pandoc(lines) == [
        'Circle one unless it says "select all". See Q5... or *note* \\| ok',
        "**Instructions** and underlined",
        r"Math stays: \[ x^2 \] and \( y \)",
    ]


def test_grid_table_borders_become_rule_rows_and_code_is_left_alone() -> None:
    lines = ["+----+-----+", "| 1  | B   |", "+====+=====+", "```", r"a \* b", "```"]
    assert rewrite_pandoc(lines) == [
        "| --- | --- |",
        "| 1  | B   |",
        "| --- | --- |",
        "```",
        r"a \* b",
        "```",
    ]


def test_a_pandoc_worksheet_takes_its_keys_from_the_grid_table_at_the_end() -> None:
    article = (
        "**Worksheet**\n\n"
        "1.  In DDP training, what is synchronized\n    across GPUs after the backward pass?\n\n"
        "    a.  Activations\n\n    b.  Gradients, via all-reduce\n\n    c.  Optimizer states\n\n"
        "2.  Which ZeRO stage partitions parameters\\...\n\n"
        "    a.  ZeRO-1\n\n    b.  ZeRO-2\n\n    c.  ZeRO-3\n\n"
        "[]{#_Toc1 .anchor}**Answer key (interviewer copy)**\n\n"
        "+------------+-----------------------+\n"
        "| Question   | Answer                |\n"
        "+============+=======================+\n"
        "| 1          | B                     |\n"
        "+------------+-----------------------+\n"
        "| 2          | ZeRO-3                |\n"
        "+------------+-----------------------+\n"
    )
    result = parse_article(article, name="worksheet.md", bank_id="t")
    assert [q.answer for q in result.bank.questions] == [["B"], ["C"]]
    assert result.bank.questions[1].prompt.get("en").endswith("parameters...")
    for question in result.bank.questions:
        assert "interviewer copy" not in (question.explanation or question.prompt).get("en")


def test_an_escaped_pipe_in_a_table_cell_stays_in_its_cell() -> None:
    result = parse_article(
        "| # | Question | Answer |\n|---|---|---|\n"
        "| 1 | What does `a \\| b` do in a shell? | Pipes a's output into b. |\n"
        "| 2 | What does `ls` do? | Lists a folder. |\n",
        name="cheats.md",
        bank_id="t",
    )
    first = result.bank.questions[0]
    assert first.prompt.get("en") == "What does `a | b` do in a shell?"
    assert first.reference.get("en") == "Pipes a's output into b."


def test_a_grid_table_of_numbers_and_answers_is_a_key_not_questions() -> None:
    result = parse_article(
        "1. Capital of France?\n\n- Paris\n- Rome\n\n2. Capital of Italy?\n\n- Paris\n- Rome\n\n"
        "**Answer key**\n\n+----------+--------+\n| Question | Answer |\n+==========+========+\n"
        "| 1        | Paris  |\n+----------+--------+\n| 2        | Rome   |\n"
        "+----------+--------+\n| 3        | Berlin |\n+----------+--------+\n",
        name="sheet.md",
        bank_id="t",
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2"]


def test_a_raw_block_for_word_is_no_text_and_model_answers_follow_the_key() -> None:
    article = (
        "---\ntitle: 'LLM Evaluation --- Weeks 1--6'\n---\n\n"
        "1.  Perplexity is:\n\n    a.  exp of the mean NLL\n\n    b.  accuracy\n\n"
        "2.  MMLU is:\n\n    a.  coding\n\n    b.  multiple choice\n\n"
        "3.  Briefly explain how Chatbot Arena turns votes into a\n    leaderboard.\n\n"
        '```{=openxml}\n<w:p><w:r><w:br w:type="page"/></w:r></w:p>\n```\n\n'
        "# Answer Key\n\n+----------+--------+\n| Question | Answer |\n+==========+========+\n"
        "| 1        | a      |\n+----------+--------+\n| 2        | b      |\n"
        "+----------+--------+\n\nModel answers for the short-answer questions:\n\n"
        "3.  Pairwise votes are fitted with a Bradley-Terry model.\n"
    )
    result = parse_article(article, name="review.md", bank_id="t")
    assert result.bank.title.get("en") == "LLM Evaluation — Weeks 1–6"
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["A"], ["B"])
    assert " ".join(third.prompt.get("en").split()) == (
        "Briefly explain how Chatbot Arena turns votes into a leaderboard."
    )
    assert third.reference.get("en") == "Pairwise votes are fitted with a Bradley-Terry model."
