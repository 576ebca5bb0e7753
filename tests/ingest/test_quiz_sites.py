"""Pages of question-bank and quiz sites copied as text: how they number questions and
options and where they give the key."""

from __future__ import annotations

from llmiq.ingest import parse_article


def test_options_numbered_1_to_4_keyed_by_an_option_line_saying_their_text() -> None:
    result = parse_article(
        "Question 1:\n\nWhich metric is the exponential of the mean negative log-likelihood?\n\n"
        "1. BLEU\n2. ROUGE-L\n3. Perplexity\n4. F1 score\n\nOption 3 : Perplexity\n\n"
        "### LLM Question 1 Detailed Solution\n\nThe correct answer is **Perplexity**.\n\n"
        "Question 2:\n\nIn pass@k, a problem counts as solved when:\n\n"
        "1. All k samples pass\n2. At least one of the k samples passes\n\n"
        "Option 2 : At least one of the k samples passes\n",
        name="testbook.html",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert [o.text.en for o in first.options] == ["BLEU", "ROUGE-L", "Perplexity", "F1 score"]
    assert (first.answer, second.answer) == (["C"], ["B"])
    assert "The correct answer is **Perplexity**." in first.explanation.en


def test_an_option_line_naming_another_options_text_is_no_key() -> None:
    result = parse_article(
        "Question 1:\n\nWhich metric is likelihood-based?\n\n1. BLEU\n2. Perplexity\n\n"
        "Option 1 : Perplexity\n\nQuestion 2:\n\nWhich is lower-is-better?\n\n"
        "1. Perplexity\n2. Accuracy\n\nAnswer: 1\n",
        name="testbook.html",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert not first.options  # not keyed BLEU: left as text for the reader to judge
    assert second.answer == ["A"]


def test_a_number_glued_to_a_bracketed_type_heads_the_question_below_it() -> None:
    result = parse_article(
        "1[单选题]\n\nBPE 每一步合并的是？\n\n- A 随机的两个字符\n- B 频率最高的相邻符号对\n\n"
        "正确答案：B\n\n答案解析：BPE 按频率合并。\n\n2[多选题]\n\n关于 top-p 采样，正确的是？\n\n"
        "- A 候选集合大小会变化\n- B p = 1 时等价于完整分布采样\n- C 候选集合大小固定\n\n"
        "正确答案：AB\n",
        name="w3cschool.html",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert [q.id for q in result.bank.questions] == ["q1", "q2"]
    assert first.prompt.zh == "BPE 每一步合并的是？"
    assert (first.answer, second.answer) == (["B"], ["A", "B"])
    assert first.explanation.zh == "BPE 按频率合并。"


def test_an_mcq_sites_buttons_and_read_more_links_are_furniture() -> None:
    result = parse_article(
        "## 1. Symmetric INT8, max |w| = 2.54: the scale is?\n\nA. 0.01\n\nB. 0.02\n\n"
        "Answer & Solution Discuss in Board Save for Later\n\n**Answer:** Option B\n\n"
        "**Solution:**\n2.54 / 127 = 0.02.\n\n**Read More:** Fine-tuning and LoRA MCQs\n\n"
        "## 2. W8A8 quantizes?\n\nA. Weights only\n\nB. Weights and activations\n\n"
        "**Answer:** Option B\n",
        name="examveda.md",
        bank_id="t",
    )
    first, _ = result.bank.questions
    assert first.explanation.get("en").endswith("\n2.54 / 127 = 0.02.")  # no "Read More"
    assert [o.text.get("en") for o in first.options] == ["0.01", "0.02"]


def test_a_practice_pages_toolbar_and_counts_are_furniture() -> None:
    result = parse_article(
        "1. decode 阶段的瓶颈通常是？\nA. 算力\nB. 显存带宽\n正确答案：B\n"
        "添加笔记 求解答(3) 邀请回答 收藏(412) 分享 纠错\n\n"
        "解析：每步都要读一遍全部权重。\n查看全部 17 条网友解析\n\n"
        "2. KV Cache 存什么？\nA. Q\nB. K 和 V\n正确答案：B\n",
        name="nowcoder.txt",
        bank_id="t",
    )
    assert result.bank.questions[0].explanation.get("zh") == "每步都要读一遍全部权重。"
