"""Options printed as a table, the way quiz sites lay them out."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.option_tables import rewrite_option_tables


def test_letter_cells_and_text_cells_become_option_lines_of_the_same_count() -> None:
    lines = [
        "| A. | 16 | B. | 32 |",
        "| --- | --- | --- | --- |",
        "| C. | 64 | D. | 128 |",
    ]
    assert rewrite_option_tables(lines) == ["A. 16   B. 32", "", "C. 64   D. 128"]


def test_whole_options_in_cells_become_option_lines() -> None:
    lines = ["| (a) first | (b) second |", "|:-:|:-:|", "| (c) third | (d) fourth |"]
    assert rewrite_option_tables(lines) == [
        "A. first   B. second",
        "",
        "C. third   D. fourth",
    ]


def test_other_tables_are_left_as_they_are() -> None:
    answer_key = ["| Q# | Answer |", "| --- | --- |", "| 1 | B |", "| 2 | C |"]
    letters_out_of_order = ["| B. | 32 | A. | 16 |"]
    comparison = ["| Method | A | B |", "| --- | --- | --- |", "| LoRA | yes | no |"]
    in_code = ["```", "| A. | 16 | B. | 32 |", "```"]
    for lines in (answer_key, letters_out_of_order, comparison, in_code):
        assert rewrite_option_tables(lines) == lines


def test_a_quiz_site_question_with_its_options_in_a_table_is_a_choice_question() -> None:
    result = parse_article(
        "11.\n\nWhat does temperature do?\n\n"
        "| A. | It limits the output length | B. | It divides the logits |\n"
        "| --- | --- | --- | --- |\n"
        "| C. | It sets the seed | D. | It sizes the KV cache |\n\n"
        "View Answer Discuss in Forum Workspace Report\n\n"
        "**Answer:** Option B\n",
        name="quiz.md",
        bank_id="t",
    )
    [question] = result.bank.questions
    assert question.id == "q11"
    assert [option.key for option in question.options] == ["A", "B", "C", "D"]
    assert question.options[1].text.get("en") == "It divides the logits"
    assert question.answer == ["B"]
    assert "Discuss" not in question.prompt.get("en")


def test_an_option_per_row_under_a_header_becomes_option_lines() -> None:
    lines = [
        "| 选项 | 方法 | 做法 |",
        "| --- | --- | --- |",
        "| A | Adapter | 串行插入瓶颈模块 |",
        "| B | LoRA | 加上低秩增量 BA |",
    ]
    assert rewrite_option_tables(lines) == [
        "",
        "",
        "A. Adapter — 串行插入瓶颈模块",
        "B. LoRA — 加上低秩增量 BA",
    ]


def test_a_traditional_chinese_header_heads_the_option_rows_too() -> None:
    lines = ["| 選項 | 內容 |", "|---|---|", "| A | E4M3 範圍大 |", "| B | E5M2 精度高 |"]
    assert rewrite_option_tables(lines) == ["", "", "A. E4M3 範圍大", "B. E5M2 精度高"]


def test_a_key_table_with_a_number_column_is_no_options() -> None:
    lines = ["| 题号 | 答案 |", "| --- | --- |", "| A | B |", "| B | C |"]
    assert rewrite_option_tables(lines) == lines


def test_a_header_of_letters_over_one_row_of_texts_is_options() -> None:
    lines = ["| A | B | C |", "| :---- | :---- | :---- |", "| images | no spaces | byte fallback |"]
    assert rewrite_option_tables(lines) == ["", "", "A. images   B. no spaces   C. byte fallback"]
    two_rows = [*lines, "| x | y | z |"]
    assert rewrite_option_tables(two_rows) == two_rows
