"""An outline exported from an outliner (幕布, WorkFlowy) as nested bullets."""

from __future__ import annotations

from llmiq.ingest import parse_article

OUTLINE = """# 微调篇刷题大纲

- 说明：每道题的子节点是选项，最后一个子节点是答案。
- 一、LoRA
  - 1. 【判断】LoRA 训练后可以把 BA 合并回原始权重。
    - A 正确　　B 错误
    - 答案：A
  - 2. 【单选】以下哪种属于软提示？
    - Prompt Tuning
    - LoRA
    - 答案：Prompt Tuning
- 二、对齐
  - 3. 【多选】以下哪些属于偏好对齐方法？
    - ① DPO　② KTO　③ 继续预训练
    - 答案：①②
  - 4. 【问答】Adapter 和 LoRA 有什么区别？
    - Adapter 串行插入瓶颈网络，推理有额外延迟。
    - LoRA 是并联的低秩旁路，可以合并回原权重。
- 复习记录
  - [x] 11/02 第一遍，错 2
  - [ ] 11/09 第二遍
- 参考：群文件
"""


def test_an_outlines_items_are_questions_options_and_answers() -> None:
    result = parse_article(OUTLINE, name="mubu.md", bank_id="t")
    questions = result.bank.questions
    assert [q.answer for q in questions[:3]] == [["A"], ["A"], ["A", "B"]]
    assert [o.text.zh for o in questions[0].options] == ["正确", "错误"]
    assert questions[3].reference.zh.startswith("- Adapter 串行插入瓶颈网络")
    assert "LoRA 是并联的低秩旁路" in questions[3].reference.zh
    dumped = str(result.bank.model_dump())
    for note in ("一、LoRA", "二、对齐", "复习记录", "第一遍", "群文件"):
        assert note not in dumped
    assert any("outline's own notes" in s.reason for s in result.skipped)


def test_a_markdown_article_with_a_few_lists_is_no_outline() -> None:
    text = (
        "# Notes\n\nSome intro on fine-tuning.\n\nMore intro.\n\n"
        "- 1. What is LoRA?\n  - Answer: a low-rank update\n"
        "- 2. What is QLoRA?\n  - Answer: LoRA on a 4-bit base\n\n"
        "A paragraph on adapters.\n\nAnother on prefix tuning.\n\n"
        "- Further reading\n  - the LoRA paper\n"
    )
    result = parse_article(text, name="notes.md", bank_id="t")
    assert result.bank.questions[0].reference.en == "a low-rank update"
    assert not any("outline" in s.reason for s in result.skipped)
