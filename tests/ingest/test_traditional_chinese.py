"""Articles in Traditional Chinese (Taiwan, Hong Kong): read with the same labels as
Simplified ones, and imported in the author's own characters."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.folding import fold

ITHELP = """# Day 12 - RAG 面試題自我檢測

第一題：HNSW 索引中，把查詢參數 efSearch 調大會怎樣？
(A) 召回率下降、速度變快
(B) 召回率上升、速度變慢
(C) 索引變小

正確答案：B
詳解：efSearch 是查詢時候選列表的大小。

第二題：下列哪些是 RAGAS 的評估指標？（複選）
(A) Faithfulness
(B) Context Recall
(C) BLEU

參考答案：A、B

第三題：為什麼要做重排（rerank）？

解答：向量檢索只看相似度，交叉編碼器能逐對打分，精度更高。
"""


def test_an_article_in_traditional_chinese_reads_like_a_simplified_one() -> None:
    result = parse_article(ITHELP, name="ithelp.md", bank_id="t")
    first, second, third = result.bank.questions
    assert (first.id, first.answer) == ("q1", ["B"])
    assert first.explanation.get("zh") == "efSearch 是查詢時候選列表的大小。"
    assert (second.id, second.answer) == ("q2", ["A", "B"])
    assert third.reference.get("zh").startswith("向量檢索只看相似度")
    # the author's characters are kept: only matching reads them as Simplified
    assert first.prompt.get("zh") == "HNSW 索引中，把查詢參數 efSearch 調大會怎樣？"
    assert result.bank.title.get("zh") == "Day 12 - RAG 面試題自我檢測"


def test_the_fold_maps_one_character_to_one() -> None:
    text = "參考答案：選項 Ｂ 正確。第一題"
    assert fold(text) == "参考答案:选项 B 正确。第一题"
    assert len(fold(text)) == len(text)
    assert fold("简体中文不变") == "简体中文不变"


def test_a_bbs_post_is_titled_by_its_title_field() -> None:
    result = parse_article(
        " 作者  kuroneko (黑貓)                      看板  Soft_Job\n"
        " 標題  [心得] 外商 LLM 面試心得\n 時間  Thu Oct 16 23:18:42 2025\n"
        "───────────────\n\n１１．KV Cache 存的是什麼？\n(A) Q (B) K 和 V\n答案：B\n",
        name="ptt.txt",
        bank_id="t",
    )
    assert result.bank.title.get("zh") == "[心得] 外商 LLM 面試心得"
    assert (result.bank.questions[0].id, result.bank.questions[0].answer) == ("q11", ["B"])
