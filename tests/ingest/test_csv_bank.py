"""Question banks exported as CSV (Excel, WPS, 问卷星): a question for each row, answers given
as letters or as option text turned into keys, the rows that are not questions reported by
the file's own lines, and told apart from flashcards, Markdown and plain text."""

from __future__ import annotations

from pathlib import Path

from llmiq.ingest import import_text
from llmiq.ingest.csv_bank import looks_like_csv_bank
from llmiq.ingest.formats import detect_import_format
from llmiq.ingest.importing import import_article

ZH = (
    "大模型面试题库,,,,,,,,,,\r\n"  # 1
    "序号,题型,题干,选项A,选项B,选项C,选项D,正确答案,答案解析,难度,知识点\r\n"  # 2
    "1,单选题,LoRA 训练哪些参数？,全部参数,低秩矩阵,偏置,嵌入层,B,只训练低秩矩阵,易,微调\r\n"  # 3
    "2,多选题,哪些是 PEFT 方法？,LoRA,全参数微调,Prefix Tuning,,A|C,,中,微调\r\n"  # 4
    ",,,,,,,,,,\r\n"  # 5
    "3,多选题,哪些会降低显存？,重计算,增大批量,ZeRO,,重计算；ZeRO,,难,训练\r\n"  # 6
    "4,单选题,RLHF 中奖励模型的作用？,生成回答,给回答打分,,,给回答打分,,中,对齐\r\n"  # 7
    "序号,题型,题干,选项A,选项B,选项C,选项D,正确答案,答案解析,难度,知识点\r\n"  # 8
    "5,判断题,KV Cache 以显存换计算。,,,,,对,,易,推理\r\n"  # 9
    '6,简答题,为什么需要位置编码？,,,,,"注意力本身与顺序无关，\r\n'  # 10
    '需要位置编码注入顺序信息。",,难,基础\r\n'  # 11
    ",单选题,,甲,乙,,,A,,,\r\n"  # 12
    "7,多选题,以下哪些属于 MoE 的组成？,专家网络,门控网络,词表,共享专家,ABD,,中,MoE\r\n"  # 13
)

EN = (
    "\ufeffQuestion;Type;Option A;Option B;Option C;Answer;Explanation;Score\n"  # 1
    '"Which norm drops\nmean subtraction?";single;LayerNorm;RMSNorm;BatchNorm;B;'  # 2-3
    '"It only rescales.";2\n'
    "Which are decoding strategies?;multiple;Beam search;Top-p sampling;Dropout;A, B;;2\n"  # 4
    "\n"  # 5
    "Attention is quadratic in sequence length.;True/False;;;;True;;1\n"  # 6
    "What does RoPE rotate?;short answer;;;;Query and key vectors.;By position.;5\n"  # 7
)


def _got(result: object) -> list[tuple[str, list[str], object]]:
    lang = result.lang  # type: ignore[attr-defined]
    return [
        (
            q.kind.value,
            [o.text.get(lang) for o in q.options],
            q.answer if q.is_choice else q.reference.get(lang),
        )
        for q in result.bank.questions  # type: ignore[attr-defined]
    ]


def test_a_chinese_bank_saved_by_excel_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "题库.csv"
    path.write_bytes(ZH.encode("gb18030"))
    result = import_article(path, bank_id="t")
    assert result.bank.title.get("zh") == "大模型面试题库"
    assert _got(result) == [
        ("single", ["全部参数", "低秩矩阵", "偏置", "嵌入层"], ["B"]),
        ("multiple", ["LoRA", "全参数微调", "Prefix Tuning"], ["A", "C"]),
        ("multiple", ["重计算", "增大批量", "ZeRO"], ["A", "C"]),
        ("single", ["生成回答", "给回答打分"], ["B"]),
        ("single", ["正确", "错误"], ["A"]),
        ("open", [], "注意力本身与顺序无关，\n需要位置编码注入顺序信息。"),
        ("multiple", ["专家网络", "门控网络", "词表", "共享专家"], ["A", "B", "D"]),
    ]
    first = result.bank.questions[0]
    assert first.prompt.get("zh") == "LoRA 训练哪些参数？"
    assert first.explanation.get("zh") == "只训练低秩矩阵"
    assert not any("微调" in q.prompt.get("zh") for q in result.bank.questions[:1])
    assert [(s.first, s.last, s.reason) for s in result.skipped] == [
        (2, 2, "table header, not imported"),
        (5, 5, "empty row, not imported"),
        (8, 8, "table header, not imported"),
        (12, 12, "row without a question, not imported"),
    ]


def test_an_english_bank_with_semicolons_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bank.csv"
    path.write_bytes(EN.encode("utf-8-sig"))
    result = import_article(path, bank_id="t")
    assert _got(result) == [
        ("single", ["LayerNorm", "RMSNorm", "BatchNorm"], ["B"]),
        ("multiple", ["Beam search", "Top-p sampling", "Dropout"], ["A", "B"]),
        ("single", ["True", "False"], ["A"]),
        ("open", [], "Query and key vectors."),
    ]
    questions = result.bank.questions
    assert questions[0].prompt.get("en") == "Which norm drops\nmean subtraction?"
    assert questions[0].explanation.get("en") == "It only rescales."
    assert questions[3].explanation.get("en") == "By position."
    assert [(s.first, s.last, s.reason) for s in result.skipped] == [
        (1, 1, "table header, not imported"),
        (5, 5, "empty row, not imported"),
    ]


def test_a_question_without_an_answer_is_reported_by_its_row() -> None:
    text = (
        "题目\t选项A\t选项B\t答案\n哪个是激活函数？\tGELU\tAdam\tA\n哪个是优化器？\tSGD\tReLU\t\n"
    )
    result = import_text(text, name="bank.tsv", bank_id="t")
    assert _got(result) == [("single", ["GELU", "Adam"], ["A"])]
    assert [(s.first, s.last, s.dropped) for s in result.skipped] == [
        (1, 1, False),
        (3, 3, True),
    ]


def test_told_by_the_header_row() -> None:
    assert looks_like_csv_bank(ZH)
    assert looks_like_csv_bank(EN)
    assert detect_import_format("题库.txt", ZH).name == "csv"
    assert detect_import_format("the pasted text", EN).name == "csv"
    assert detect_import_format("bank.csv", "anything").name == "csv"
    assert (
        detect_import_format("bank.tsv", "题目\t答案\n什么是 RAG？\t检索增强生成\n").name == "csv"
    )
    assert detect_import_format("deck.tsv", "什么是 RAG？\t检索增强生成\n").name == "flashcards"


def test_not_told_from_other_texts() -> None:
    quizlet = "LoRA 训练哪些参数？\t低秩矩阵\nQLoRA 的量化格式？\tNF4\n哪个是 PEFT？\tB\n"
    article = "题目, 答案, 解析\n\n1. 什么是 RAG？\n答案：检索增强生成\n"
    only_header = "Question,Answer,Explanation\n"
    table = "| 题目 | 答案 |\n|---|---|\n| 什么是 RAG？ | 检索增强生成 |\n"
    prose = "We asked each candidate a question, the answer, and then the explanation.\nOk.\n"
    for text in (quizlet, article, only_header, table, prose):
        assert not looks_like_csv_bank(text), text
    assert detect_import_format("deck.txt", quizlet).name == "flashcards"
    assert detect_import_format("notes.txt", article).name == "text"


def test_all_options_in_one_column_or_spread_over_the_cells_after_it() -> None:
    text = (
        "题号\t题型\t题干\t选项\t\t\t答案\t解析\n"
        "21\t单选\tLoRA 训练哪些参数？\tA.原始权重|B.低秩矩阵 A 和 B\t\t\tB\t只训低秩矩阵\n"
        "22\t单选\t如何初始化？\tA、都随机；B、A 随机，B 为 0；C、都为 0\t\t\tB\t\n"
        "23\t多选\t哪些属于 PEFT？\t①LoRA ②Prefix Tuning ③全参数微调\t\t\t①②\t\n"
        "24\t单选\tQLoRA 的存储格式？\tA. FP16\tB. NF4\tC. INT8\tB\t\n"
        "25\t单选\t缩放系数是？\tA. r/α\tB. α/r\tC. α·r\tD. 1/r\tB\t多出一列\n"
    )
    result = import_text(text, name="peft.tsv", bank_id="t", format="csv")
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q21", "q22", "q23", "q24", "q25"]
    assert [len(q.options) for q in questions] == [2, 3, 3, 3, 4]
    assert [q.answer for q in questions] == [["B"], ["B"], ["A", "B"], ["B"], ["B"]]
    assert questions[4].explanation.get("zh") == "多出一列"
