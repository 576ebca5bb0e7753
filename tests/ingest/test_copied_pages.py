"""Text copied from the pages people save questions from: a WeChat article's numbered
sections, a MOOC's graded quiz."""

from __future__ import annotations

from llmiq.ingest import parse_article


def test_section_numbers_alone_and_type_lines_above_the_prompt() -> None:
    result = parse_article(
        "# 推理面试 8 题\n\n点击上方蓝字关注我们\n\n"
        "01\n\n单选\n\n自回归解码时，KV Cache 缓存的是什么？\n\n"
        "A. Key 和 Value\n\nB. Query\n\n【答案】A\n\n02\n\n单选 · 计算题\n\n"
        "每个 token 的 KV Cache 约占多少？\n\nA. 256 KB\nB. 512 KB\n\n答：B\n\n"
        "07\n\n问答\n\n为什么前缀缓存能降低 TTFT？\n\n答：命中的前缀不必再做 prefill。\n",
        name="wechat.md",
        bank_id="t",
    )
    assert result.bank.title.zh == "推理面试 8 题"
    assert [(q.id, q.prompt.zh) for q in result.bank.questions] == [
        ("q1", "自回归解码时，KV Cache 缓存的是什么？"),
        ("q2", "每个 token 的 KV Cache 约占多少？"),
        ("q7", "为什么前缀缓存能降低 TTFT？"),
    ]


def test_a_mooc_quizs_verdict_on_the_readers_pick_is_no_part_of_the_key() -> None:
    result = parse_article(
        "22\n多选(2分)\n预训练语料清洗中常见的步骤有：\n"
        "A.去重\nB.质量过滤\nC.去除隐私信息\nD.翻译成英文\n"
        "得分/总分\n0.00/2.00\n正确答案：A、B、C你错选为A、B\n解析：PII 清洗也是标准步骤。\n\n"
        "23\n单选(2分)\nChinchilla 每个参数约对应多少 token？\nA.约 2 个\nB.约 20 个\n"
        "正确答案：B你选对了\n",
        name="mooc.txt",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q22", ["A", "B", "C"]),
        ("q23", ["B"]),
    ]
    assert result.bank.questions[0].prompt.zh == "预训练语料清洗中常见的步骤有："
