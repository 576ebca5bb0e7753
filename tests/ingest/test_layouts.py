"""Single layout traits of real articles, each in a small article written here: what the
importer infers, what it refuses to guess, and what it reports."""

from __future__ import annotations

import re

from llmiq.ingest import parse_article
from llmiq.ingest.lines import LineKind, classify
from llmiq.ingest.result import ImportResult, fold_notes


def _parse(text: str, name: str = "/home/ada/notes/quiz.md") -> ImportResult:
    return parse_article(text, name=name, bank_id="t")


def test_keys_named_in_prose_are_all_taken_and_noted() -> None:
    result = _parse(
        "1. Which are unsupervised?\na) SVM\nb) Clustering\nc) Linear regression\n"
        "d) Association\nAnswer: b) Clustering and d) Association\n"
    )
    assert result.bank.questions[0].answer == ["B", "D"]
    assert [str(n) for n in result.notes] == [
        "lines 1-6: question 1: answer read as B, D from 'b) Clustering and d) Association'; "
        "check it"
    ]


def test_an_answer_key_at_the_end_answers_the_questions_and_is_noted() -> None:
    result = _parse(
        "# Quiz\n\n1. First?\nA. x\nB. y\n\n2. Second?\nA. x\nB. y\n\n参考答案：1.B 2.A\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
    assert fold_notes(result.notes) == [
        "lines 3-9: questions 1-2: answer from the answer key at line 11"
    ]
    assert any("answer key for questions 1-2" in s.reason for s in result.skipped)


def test_a_numbered_open_answer_is_no_answer_key() -> None:
    result = _parse("1. 什么是 LoRA？\n答案：\n1. 冻结原权重\n2. 训练低秩增量\n")
    question = result.bank.questions[0]
    assert question.kind == "open"
    assert "训练低秩增量" in question.reference.get("zh")


def test_a_sentence_starting_with_a_capital_a_is_no_option() -> None:
    result = _parse("1. Why scale by sqrt(d)?\nA model with large logits saturates.\nAnswer: Yes\n")
    question = result.bank.questions[0]
    assert question.kind == "open"
    assert "A model with large logits" in question.prompt.get("en")


def test_spaced_options_count_only_in_a_run() -> None:
    result = _parse("1. RoPE 作用在 Q 和 K 上。（ ）\nA 正确\nB 错误\n答案：A\n")
    question = result.bank.questions[0]
    assert [(o.key, o.text.get("zh")) for o in question.options] == [("A", "正确"), ("B", "错误")]
    assert question.answer == ["A"]


def test_ticked_boxes_answer_a_question_without_an_answer_line() -> None:
    result = _parse(
        "### 1. Which speed up decoding?\n- [x] KV caching\n- [ ] Higher temperature\n"
        "- [x] Speculative decoding\n\n### 2. Which stores KV in blocks?\n- [ ] FlashAttention\n"
        "- [x] PagedAttention\n"
    )
    assert [q.answer for q in result.bank.questions] == [["A", "C"], ["B"]]
    assert result.notes == []  # ticks are read, not inferred


def test_qa_notes_keep_the_articles_numbers() -> None:
    result = _parse(
        "## Notes\n\n### Q161: What does the KV cache store?\n\nKeys and values of past tokens.\n\n"
        "### Q162: Explain speculative decoding\n\nA draft model proposes; the target verifies.\n"
    )
    assert [q.id for q in result.bank.questions] == ["q161", "q162"]
    assert result.bank.questions[1].reference.get("en").startswith("A draft model")


def test_titles_come_from_front_matter_then_h1_then_the_file_name() -> None:
    body = "1. Q?\nAnswer: Yes\n"
    assert _parse(f"---\ntitle: RAG quiz\nformat: html\n---\n# Other\n\n{body}").bank.title.en == (
        "RAG quiz"
    )
    assert _parse(f"Site notice: we use cookies.\n\n# Decoding\n\n{body}").bank.title.en == (
        "Decoding"
    )
    assert _parse(f"Aditya Verma\n\n{body}").bank.title.en == "quiz"  # a name is no title


def test_end_matter_after_the_last_question_is_the_page_tail() -> None:
    result = _parse(
        "1. Q?\nA. x\nB. y\nAnswer: A\nBecause.\n\n---\n\nThat's all! Subscribe to my newsletter.\n"
    )
    assert result.bank.questions[0].explanation.get("en") == "Because."
    assert any("page tail" in s.reason for s in result.skipped)


def test_page_furniture_is_cut_from_option_lines() -> None:
    result = _parse("1. Which?\nA. Paris Show Answer\nB. Rome\n[点击查看答案]\nAnswer: A\n")
    assert result.bank.questions[0].options[0].text.get("en") == "Paris"
    assert any("page furniture" in s.reason for s in result.skipped)


def test_dashes_end_the_clause_that_names_keys() -> None:
    result = _parse(
        "1. Which are agent planning strategies?\n- (a) Plan-and-Execute\n- (b) Tree of Thoughts\n"
        "- (c) Reflexion\n- (d) Byte-pair encoding\n\n"
        "Answer: (a), (b), (c) — (d) is a tokenization algorithm.\n"
    )
    assert result.bank.questions[0].answer == ["A", "B", "C"]


def test_lowercase_keys_run_together_answer_a_lowercase_question() -> None:
    result = _parse("8、关于位置编码，说法正确的是：\na) 甲\nb) 乙\nc) 丙\nd) 丁\n答案：abd\n")
    assert result.bank.questions[0].answer == ["A", "B", "D"]


def test_a_verdict_at_the_end_of_an_explanation_answers_and_is_noted() -> None:
    result = _parse(
        "**1. 温度接近 0 时最接近哪种解码？**\n\nA. 随机采样\nB. 贪心解码\n\n"
        "解析：最大那一项的概率趋近于 1，本题选 B。实际实现里直接走 argmax。\n\n"
        "**2. 下一题？**\n\nA. 是\nB. 否\n\n正确选项：A\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
    assert "answer read as B from the explanation" in str(result.notes[0])


def test_a_mianjings_comment_under_the_options_ends_with_its_answer() -> None:
    """A candidate's note under a question they recall: "…= 0.03，答案选 B。"."""
    result = _parse(
        "1. 某通道权重最大绝对值 3.81，INT8 对称量化的 scale 是？\nA. 0.015\nB. 0.03\nC. 3.81\n"
        "这题简单，scale = 3.81 / 127 = 0.03，答案选 B。\n\n2. 下一题？\nA. 是\nB. 否\n答案：A\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]


def test_a_sentence_saying_which_are_correct_answers() -> None:
    result = _parse(
        "## 3. 关于 LoRA，说法正确的是？\n\nA. 甲\nB. 乙\nC. 丙\nD. 丁\n\n"
        "正确的是 A、B 和 D。C 错。\n"
    )
    assert result.bank.questions[0].answer == ["A", "B", "D"]


def test_a_bare_numbered_heading_takes_its_question_from_the_next_paragraph() -> None:
    result = _parse(
        "# Notes\n\n### Question 5\n\nWhat is the KV cache?\n\nIt stores past keys and values.\n\n"
        "### Question 6\n\nWhy does RoPE extrapolate poorly?\n\n💡 **Answer (points to hit):**\n\n"
        "- unseen rotation angles\n"
    )
    first, second = result.bank.questions
    assert (first.id, first.prompt.en, first.reference.en) == (
        "q5",
        "What is the KV cache?",
        "It stores past keys and values.",
    )
    assert second.prompt.en == "Why does RoPE extrapolate poorly?"
    assert second.reference.en == "- unseen rotation angles"


def test_an_answer_that_introduces_a_list_takes_the_list() -> None:
    result = _parse(
        "10) What do you check?\n\nAnswer: A few things:\n- calibration data\n- group size\n"
    )
    assert result.bank.questions[0].reference.en.endswith("- calibration data\n- group size")


def test_exam_paper_instructions_score_boxes_and_type_tags_are_not_questions() -> None:
    result = _parse(
        "期末试卷\n\n题号    一    二    总分\n得分\n\n注意事项：1．答案一律写在答题纸上；\n"
        "          2．选择题请用2B铅笔填涂。\n\n得分  评卷人\n"
        "【单选题】1．BPE 每一步合并的是（    ）\nA．频率最高的相邻符号对    B．随机字符\n"
        "2．【简单】字节级 BPE 的优点是（    ）\nA．无未登录词    B．词表为 256\n\n"
        "《期末试卷》参考答案及评分标准\n\n一、单项选择题\n1．A    2．A\n"
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [("q1", ["A"]), ("q2", ["A"])]
    assert result.bank.questions[1].prompt.zh.startswith("字节级 BPE")
    assert "2B铅笔" not in str(result.bank.model_dump())


def test_a_key_table_with_one_dash_rules_answers_the_questions() -> None:
    result = _parse(
        "# Quiz\n\n**1.** First?\n\na. x\nb. y\n\n**2.** Second?\n\na. x\nb. y\n\n"
        "## Answer Key\n\n| Q | Answer |\n|:-:|:--|\n| 1 | b |\n| 2 | a |\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]


def _page(html: str) -> ImportResult:
    from llmiq.ingest.html import parse_html_page

    return parse_html_page(html, name="quiz.html", bank_id="t")


def test_answers_a_practice_page_hides_until_clicked_are_read() -> None:
    item = (
        '<div class="q"><p>{n}. Which one?</p><ul><li>A. x</li><li>B. y</li></ul>'
        '<a href="#">Show answer</a><a href="#">Report error</a>{hidden}</div>'
    )
    hidden = [
        '<div style="display:none"><p>正确答案：B</p><p>解析：y 对。</p></div>',
        '<div class="answer" hidden>A</div>',  # named by its class: labelled "Answer:"
        '<p id="ans3" style="visibility: hidden">B</p>',
    ]
    body = "".join(item.format(n=n, hidden=h) for n, h in enumerate(hidden, start=1))
    result = _page(
        f"<html><body><h1>Quiz</h1>{body}<div style='display:none'>Log in first</div>"
        f"<div class='ad-box'><p>Go VIP for 3000 more questions</p></div></body></html>"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"], ["B"]]
    dumped = str(result.bank.model_dump())
    for furniture in ("Show answer", "Report error", "Log in", "VIP"):
        assert furniture not in dumped


def test_a_question_and_answer_table_is_a_question_per_row() -> None:
    result = _parse(
        "# 速查表\n\n| 序号 | 问题 | 参考答案 |\n|:-:|---|---|\n"
        "| 1 | 为什么要除以 √d？ | 点积方差随维度增大，softmax 饱和、梯度消失。 |\n"
        "| 2 | KV Cache 存什么？ | 已生成 token 的 K 和 V，<br>避免重复计算。 |\n\n"
        "That’s the whole sheet. Ping me with corrections.\n"
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2"]
    assert result.bank.questions[1].prompt.zh == "KV Cache 存什么？"
    assert result.bank.questions[1].reference.zh == "已生成 token 的 K 和 V， 避免重复计算。"
    assert "whole sheet" not in str(result.bank.model_dump())
    assert any(s.reason == "table header, not imported" and s.first == 3 for s in result.skipped)


def test_a_table_of_option_letters_stays_an_answer_key() -> None:
    result = _parse(
        "1. First?\nA. x\nB. y\n\n2. Second?\nA. x\nB. y\n\n"
        "| # | Question | Answer |\n|---|---|---|\n| 1 | First | B |\n| 2 | Second | A |\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]


def test_a_page_table_with_a_header_row_is_data_however_long_its_cells() -> None:
    answer = "Tiles of Q, K and V stay in on-chip SRAM with an online softmax. " * 6
    row = "<tr><td>{n}</td><td>What does FlashAttention change {n}?</td><td>{a}</td></tr>"
    rows = "".join(row.format(n=n, a=answer) for n in (1, 2, 3))
    result = _page(
        "<html><body><article><h1>Sheet</h1><p>I reread this table before every interview, "
        "on the train.</p><table><thead><tr><th>#</th><th>Question</th>"
        f"<th>Short answer</th></tr></thead><tbody>{rows}</tbody></table></article></body></html>"
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2", "q3"]
    assert result.bank.questions[2].reference.en == answer.strip()


def test_difficulty_tags_in_either_language_leave_the_prompt() -> None:
    result = _parse(
        "**1. RoPE 作用在哪里？** 【难度 ⭐⭐】\nA. Q 和 K\nB. V\n答案：A\n\n"
        "2. Why scale by sqrt(d)? [Difficulty: 3/5]\nA. Variance\nB. Speed\nAnswer: A\n\n"
        "3. 【中等】KV Cache 存什么？ `⭐⭐⭐`\n难度：⭐⭐⭐\n答案：K 和 V\n\n"
        "**4. What is Ring Attention?** | Level: Advanced\n\n**Difficulty:** Hard\n\n"
        "Answer: Blockwise attention passed around a ring of devices.\n\n"
        "5. What happens to the cache at level 3?\nAnswer: It spills.\n\n"
        "## Q6. **RMSNorm differs in that it:** — *Easy*\nA. skips centering\nB. uses batches\n"
        "Answer: A\n\n"
        '### 7. RoPE 怎么表达相对位置？\n\n<span class="badge">🟢 简单</span>\n\n'
        "- A. 加偏置\n- B. 按位置旋转 q、k\n\n**答案：B**\n"
    )
    prompts = [q.prompt.get(result.lang) for q in result.bank.questions]
    assert prompts == [
        "RoPE 作用在哪里？",
        "Why scale by sqrt(d)?",
        "KV Cache 存什么？",
        "What is Ring Attention?",
        "What happens to the cache at level 3?",
        "RMSNorm differs in that it:",
        "RoPE 怎么表达相对位置？",
    ]


def test_open_answers_under_their_own_heading_after_a_key_table() -> None:
    result = _parse(
        '<h1 align="center">PEFT quiz</h1>\n\n### 1. Which is zero at init?\n- A. A\n- B. B\n\n'
        "### 2. Which stores 4-bit weights?\n- A. QLoRA\n- B. LoRA\n\n"
        "## Short answer\n\n### 3. Why compute in BF16?\n\n---\n\n## Answer key\n\n"
        "| Q# | Answer |\n|:--:|:--:|\n| 1 | B |\n| 2 | A |\n\n### Short-answer notes\n\n"
        "3. NF4 is only storage; blocks are dequantized to BF16 for the matmul.\n"
    )
    assert result.bank.title.en == "PEFT quiz"
    assert [q.kind for q in result.bank.questions] == ["single", "single", "open"]
    assert result.bank.questions[2].reference.en.startswith("NF4 is only storage")
    assert "explanations after the answer key" in fold_notes(result.notes)[-1]


def test_an_exam_paper_listed_instructions_scored_sections_and_wrapped_prompts() -> None:
    result = _parse(
        "笔试试卷\n\n注意事项：\n1．请将答案写在答题卡上。\n2．单选题只有一个正确选项。\n\n"
        "一、单项选择题（每题 5 分，共 10 分）\n\n1．Scaling Law 指出损失与参数量满足（ ）。\n"
        "A．线性关系    B．幂律关系\n\n2．Chinchilla 认为（ ）。\nA．只加参数    B．同步增加\n\n"
        "二、简答题（共 42 分）\n\n3．（14 分）两者结论不\n同，简述造成差异的主要原因。\n\n"
        "参考答案\n\n1．B    2．B\n\n简答题参考答案\n\n3．要点：学习率调度不同。\n"
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q1", "q2", "q3"]
    assert questions[0].prompt.zh.startswith("Scaling Law")
    assert questions[2].prompt.zh.endswith("简述造成差异的主要原因。")
    assert "学习率调度不同" in questions[2].reference.zh
    dumped = str(result.bank.model_dump())
    assert "答题卡" not in dumped
    assert "共 42 分" not in dumped


def test_an_interview_report_divided_by_rules_and_closed_by_its_own_questions() -> None:
    result = _parse(
        "========== 一面 ==========\n\n第1题\nPPO 的 clip 是干什么的？\n\n"
        "答：限制新旧策略的比值。\n\n"
        "========== 二面 ==========\n\n二面面试官是组里的 leader，先聊项目。\n\n"
        "🔟 Q10：k3 估计器有什么好处？\n\n答（这个没答好，面后补的）：无偏且非负。\n\n"
        "反问环节：问了组里做什么。\n\n许愿后面顺利 🙏\n"
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q10"]
    assert result.bank.questions[1].reference.zh == "无偏且非负。"
    dumped = str(result.bank.model_dump())
    assert "leader" not in dumped
    assert "反问" not in dumped


def test_a_sentence_counting_the_correct_options() -> None:
    result = _parse(
        "### 3. 哪些技术降低激活显存？\n\nA. 重计算\nB. 序列并行\nC. ZeRO-1\nD. 小 micro batch\n\n"
        "正确的是 A、B、D 三项。ZeRO-1 只切优化器状态。\n"
    )
    assert result.bank.questions[0].answer == ["A", "B", "D"]
    assert result.notes  # read from a sentence: noted


def test_a_numbered_answer_under_its_question_is_no_answer_key() -> None:
    result = _parse(
        "**9、RAG 答错了怎么定位？**\n\n参考答案：\n\n先把链路拆开看：\n\n"
        "1. 看检索结果有没有召回；\n2. 召回了但排得靠后；\n3. 在上下文里还答错：生成问题。\n\n"
        "**10、还需要 RAG 吗？**\n\n参考答案：\n\n有必要，两者互补。\n"
    )
    first, second = result.bank.questions
    assert (first.id, second.id) == ("q9", "q10")
    assert "1. 看检索结果有没有召回" in first.reference.zh
    assert second.reference.zh == "有必要，两者互补。"


def test_prev_next_links_and_share_buttons_end_the_article() -> None:
    result = _parse(
        "# Quiz\n\n1. First?\nA. x\nB. y\nAnswer: A\n\n2. Second?\nA. x\nB. y\nAnswer: B\n"
        "Because y.\n\n« Tokenization MCQ Set 1   Embeddings MCQ »\n\nShare this: Facebook X\n"
    )
    assert result.bank.questions[1].explanation.en == "Because y."


def test_keycap_emoji_are_the_question_numbers() -> None:
    result = _parse(
        "9️⃣ What does a scaling law predict?\n→ The loss, as a power law.\n\n"
        "🔟 What do you monitor?\n→ Gradient norms.\n\n"
        "1️⃣1️⃣ Why repeat data only a few times?\n→ Returns drop after ~4 epochs.\n"
    )
    assert [q.id for q in result.bank.questions] == ["q9", "q10", "q11"]
    assert result.bank.questions[1].prompt.get("en") == "What do you monitor?"


def test_a_keycap_before_a_question_number_is_decoration() -> None:
    result = _parse("1️⃣ Q7：What is RoPE?\n答案：旋转位置编码。\n")
    assert [q.id for q in result.bank.questions] == ["q7"]


def test_a_bonus_question_after_the_numbered_ones_is_a_question() -> None:
    result = _parse(
        "1. Why is the learning rate tuned first?\nIt shrinks with width.\n\n"
        "2. What is MFU?\nUseful FLOPs over peak.\n\n"
        "Bonus: Why train a small model far beyond Chinchilla-optimal?\n"
        "Inference is cheaper for the rest of its life.\n"
    )
    assert len(result.bank.questions) == 3
    assert "far beyond Chinchilla" in result.bank.questions[2].prompt.get("en")
    assert "cheaper" in result.bank.questions[2].reference.get("en")


def test_a_social_posts_close_ends_the_article() -> None:
    result = _parse(
        "1. What is MFU?\nUseful FLOPs over the hardware peak.\n\n"
        "♻️ Repost if this helps someone.\n➕ Follow Jane Doe for more LLM content.\n\n"
        "#LLM #MachineLearning #AI\n\n👍❤️ 412 · 58 comments · 33 reposts\n"
    )
    reference = result.bank.questions[0].reference.get("en")
    for page_text in ("Repost", "Follow Jane", "#MachineLearning", "58 comments"):
        assert page_text not in reference


def test_share_buttons_after_the_last_question_end_the_article() -> None:
    result = _parse("1. What is MFU?\nUseful FLOPs over the peak.\n\nShare: Facebook Twitter\n")
    assert "Share" not in result.bank.questions[0].reference.get("en")


def test_an_answer_naming_an_option_by_its_place_is_read_and_noted() -> None:
    result = _parse(
        "1. What does HyDE do?\n\n- Fine-tunes the embedder\n- Embeds a hypothetical answer\n"
        "- Deduplicates documents\n\n**Answer:** the second one — a fake answer sits closer.\n\n"
        "2. 哪个是稀疏检索？\nA. DPR\nB. BM25\nC. ColBERT\n答案：第二个，BM25 按词项打分。\n"
    )
    first, second = result.bank.questions
    assert [o.key for o in first.options] == ["A", "B", "C"]
    assert first.answer == ["B"]
    assert "a fake answer sits closer" in first.explanation.get("en")
    assert second.answer == ["B"]
    assert any("read as option B" in str(note) for note in result.notes)


def test_an_answer_giving_the_beginning_of_an_options_text_names_that_option() -> None:
    result = _parse(
        "1. Who executes the function in function calling?\n\n- The provider's servers\n"
        "- Your application code, after the model returns the arguments\n- The browser\n\n"
        "**Answer:** Your application code. The model only proposes a call.\n"
    )
    assert result.bank.questions[0].answer == ["B"]


def test_keys_with_their_options_text_in_brackets_or_a_count_are_read() -> None:
    result = _parse(
        "1. 混合检索组合哪两类方法？\nA. 稠密检索\nB. 蒸馏\nC. BM25\nD. 增强\n\n"
        "答案是 A（稠密向量检索）和 C（BM25），两者互补。\n\n"
        "2. 哪些是偏好优化方法？\nA. IPO\nB. KTO\nC. ORPO\nD. LoRA\n\n"
        "答案为 A、B、C 三项。LoRA 是参数高效微调。\n\n"
        "3. 下列哪些是偏好优化？\nA. DPO\nB. SFT\nC. KTO\n\n答案是 AC —— SFT 不用偏好。\n"
    )
    assert [q.answer for q in result.bank.questions] == [["A", "C"], ["A", "B", "C"], ["A", "C"]]


def test_the_correct_options_are_read_after_their_lead_in() -> None:
    result = _parse(
        "5. Which are true?\na) Rows sum to 1\nb) Masks use -inf\nc) Softmax over heads\n"
        "d) Max subtraction keeps it stable\n\n"
        "Answer: The correct options are a, b and d. The softmax runs over keys.\n"
    )
    assert result.bank.questions[0].answer == ["A", "B", "D"]


def test_an_answer_label_with_its_key_is_no_answer_key_for_the_numbers_below() -> None:
    result = _parse(
        "1. 首个 token 之后缓存什么？\nA. Q\nB. K 和 V\n答案：B\n\n"
        "2. 7B 模型 4096 长度的 KV Cache 约多大？\nA. 0.5 GB\nB. 1 GB\nC. 2 GB\nD. 8 GB\n\n"
        "答案：C\n解析：2（K 和 V）× 32 层 × 4096 × 4096 × 2 字节 = 2 GiB。batch 16 就是 32 GB。\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["C"]]


def test_a_notebooks_follow_ups_and_a_posts_footer_end_the_article() -> None:
    notes = _parse(
        "### Q7: Why bf16?\n\nSame exponent bits as fp32.\n\n---\n\n## Open follow-ups\n\n"
        "- [ ] Read Megatron again\n- [x] Compare HYBRID_SHARD\n"
    )
    [question] = notes.bank.questions
    assert question.kind == "open"
    assert "HYBRID_SHARD" not in question.reference.get("en")
    post = _parse(
        "### 1. 为什么长上下文推理慢？\n\n瓶颈是 KV Cache。\n\n"
        "编辑于 2024-05-06 21:47・IP 属地北京\n\n赞同 326 添加评论\n\n**27 条评论**\n\n"
        "张三：写得好\n\n（完）\n"
    )
    assert post.bank.questions[0].reference.get("zh") == "瓶颈是 KV Cache。"


def test_a_printed_pages_running_header_is_left_out_but_the_title_stays() -> None:
    page = "第 {n} 页 共 2 页"
    result = _parse(
        "大模型笔试（B 卷）\n\n1. 哪个做去重？\nA. MinHash\nB. Dropout\n\n"
        f"大模型笔试（B 卷）\n{page.format(n=1)}\n\n"
        "2. 哪个是位置编码？\nA. RoPE\nB. Adam\n\n"
        f"大模型笔试（B 卷）\n{page.format(n=2)}\n\n参考答案：1.A 2.A\n",
        name="exam.txt",
    )
    assert result.bank.title.get("zh") == "大模型笔试（B 卷）"
    assert [q.answer for q in result.bank.questions] == [["A"], ["A"]]
    for question in result.bank.questions:
        shown = [question.prompt, *(o.text for o in question.options), question.explanation]
        assert not any("笔试" in text.get("zh") for text in shown if text)


def test_answers_that_end_in_a_number_are_no_numbered_running_header() -> None:
    """ "Answer: (b) 64" and "Answer: (b) 4" ten lines apart look like a header with page
    numbers 64 and 4; an answer line is never a page's header."""
    filler = "Explanation: " + "Each head works in a subspace of its own. " * 2 + "\n\n"
    result = _parse(
        "3) How wide is each of 12 heads at d_model = 768?\n\na. 32\nb. 64\n"
        f"Answer: (b) 64\n\n{filler * 5}"
        "4) How many query heads share a KV head with 32 and 8?\n\na. 2\nb. 4\n"
        f"Answer: (b) 4\n\n{filler}",
        name="mcq.txt",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["B"]]


def test_a_slide_decks_notes_hold_the_answers_and_its_last_slide_ends_it() -> None:
    result = _parse(
        "Serving — Part 2\nSlide 1/3\n\nSlide 2/3\nQ13\nWhy is decoding memory bound?\n"
        "A. Too few tensor cores\nB. Every step reads all the weights\n"
        "Notes: Answer: B. Few FLOPs per byte.\n\nSlide 3/3\nQ14\nWhy does batching help?\n"
        "Notes: Model answer — The weights are read once per step for the whole batch.\n\n"
        "Slide 4/4\nThanks! Questions?\nNext session: Part 3\n",
        name="slides.txt",
    )
    first, second = result.bank.questions
    assert (first.id, first.answer) == ("q13", ["B"])
    assert second.reference.get("en").startswith("The weights are read once")
    assert "Thanks" not in second.reference.get("en")
    assert "Slide" not in first.prompt.get("en") + first.explanation.get("en")


def test_mkdocs_admonitions_hide_the_answers() -> None:
    result = _parse(
        '!!! info "阅读提示"\n    答案默认折叠。\n\n'
        "### **2. 正弦位置编码的频率如何变化？** 🟢 简单\n\n"
        "A. 相同\nB. 线性增加\nC. 几何级数递减\n\n"
        '??? success "答案"\n    **C**。低维变化快，高维变化慢。\n'
    )
    [question] = result.bank.questions
    assert question.answer == ["C"]
    assert "低维变化快" in question.explanation.get("zh")


def test_keys_in_a_short_clause_and_a_partial_explanations_list() -> None:
    result = _parse(
        "1. 为什么偏好数据用两两比较？\nA. 更一致\nB. 更便宜\nC. 没有噪声\n"
        "答案：正确的是 A、B 两项；C 说得太绝对。\n\n"
        "2. DPO 训练时显存里要放哪些模型？\nA. 策略模型\nB. 参考模型\nC. 价值模型\n"
        "答案：需要 A（策略模型）和 B（参考模型）。DPO 不需要奖励模型。\n\n"
        "3. 训练计算量约为？\nA. 6ND\nB. 2ND\n\n4. 最常用的调度？\nA. 固定\nB. warmup 加余弦\n\n"
        "参考答案\n3-4：AB\n\n部分解析：\n3. 前向约 2ND，反向约两倍。\n"
    )
    assert [q.answer for q in result.bank.questions] == [["A", "B"], ["A", "B"], ["A"], ["B"]]
    assert "反向约两倍" in result.bank.questions[2].explanation.get("zh")


def test_quiz_site_buttons_with_emoji_and_a_type_tag_after_the_number() -> None:
    result = _parse(
        "### 第 6 题　【简答】　难度：⭐⭐⭐\n\n如何评估一个中文对话模型？\n\n[👉 显示参考答案]\n\n"
        "> 参考答案：\n> 1. 客观题评知识；\n> 2. 人工打分评对话。\n\n"
        "❤ 收藏　|　✎ 纠错　|　分享到微信\n\n选择一个选项查看是否正确\n\n"
        "### 第 7 题　【单选】\n\n哪个是越狱？\nA. 角色扮演绕过\nB. 调低温度\n\n答案：A\n"
    )
    first, second = result.bank.questions
    assert first.prompt.get("zh") == "如何评估一个中文对话模型？"
    assert "分享" not in first.reference.get("zh")
    assert "显示参考答案" not in first.reference.get("zh")
    assert second.answer == ["A"]


def test_an_answer_restating_an_option_in_other_words_names_it() -> None:
    result = _parse(
        '**4. What does the "lost in the middle" finding say?**\n\n'
        "* Long-context models ignore the system prompt\n"
        "* Models use information at the beginning and end of a long context much better than"
        " information in the middle\n* The middle layers do not matter\n\n"
        "**Answer:** models use information at the beginning and end much better than in the"
        " middle.\n\n"
        "5. 哪种做法最适合回答时效性问题？\n\n- 增大参数量\n"
        "- 接入检索或搜索工具，把最新文档放进上下文\n"
        "- 调低 temperature\n\n答案：接入检索或搜索工具\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["B"]]
    assert any("which says the same" in str(note) for note in result.notes)


def test_an_english_sentence_choosing_options_is_an_answer() -> None:
    result = _parse(
        "5. Which target modules are common for LoRA?\nA. q_proj and v_proj\nB. Embeddings\n"
        "C. All linear layers\nD. LayerNorm\n\n"
        "Both A and C are common: the LoRA paper adapted q and v.\n\n"
        "6. Which is a decoding method?\nA. Beam search\nB. Adam\n\nOnly A is correct.\n\n"
        "Internal — do not share outside the hiring panel.\n"
    )
    first, second = result.bank.questions
    assert first.answer == ["A", "C"]
    assert "LoRA paper" in first.explanation.get("en")
    assert second.answer == ["A"]
    assert second.explanation is None or "Internal" not in second.explanation.get("en")


def test_spaced_options_two_to_a_line_and_lowercase_keys_in_a_sentence() -> None:
    result = _parse(
        "7. 评估 RAG 检索环节时，常用的指标有（多选）\nA Recall@k    B MRR\nC BLEU        D nDCG\n"
        "答案：ABD\n\n"
        "8. Ring All-Reduce 可以分解成哪两个操作？\na) Reduce-Scatter\nb) Broadcast\n"
        "c) All-Gather\n\n答案是 a 和 c：先做 Reduce-Scatter，再做 All-Gather。\n\n"
        "9. Which can cause a mismatch?\na) Unicode normalisation\nb) Whitespace\n"
        "c) Model size\nd) Special tokens\n\n"
        "Answer: Options a, b and d are all real causes; c is fine.\n\n"
        "以上，后续会继续更新。有错误欢迎指出。\n\n反问环节\n\n我问了团队做什么。\n"
    )
    seventh, eighth, ninth = result.bank.questions
    assert [o.key for o in seventh.options] == ["A", "B", "C", "D"]
    assert seventh.options[3].text.get("zh") == "nDCG"
    assert seventh.answer == ["A", "B", "D"]
    assert eighth.answer == ["A", "C"]
    assert ninth.answer == ["A", "B", "D"]
    assert ninth.explanation is None or "后续会继续更新" not in ninth.explanation.get("zh")


def test_glosses_after_keys_are_read_under_any_answer_label() -> None:
    result = _parse(
        "1. DPO 训练时显存里要放哪些模型？\nA. 策略模型\nB. 参考模型\nC. 价值模型\n"
        "答案：A（策略模型）和 B（参考模型）。DPO 不需要价值模型。\n"
    )
    [question] = result.bank.questions
    assert question.answer == ["A", "B"]
    assert "DPO 不需要价值模型" in question.explanation.get("zh")


def test_an_english_answer_under_two_bullets_is_no_key() -> None:
    result = _parse(
        "1. How do you roll out a new model?\n\n- Shadow traffic\n- Canary\n\n"
        "Answer: Plan A, then retry.\n"
    )
    [question] = result.bank.questions
    assert question.kind == "open"


def test_every_reason_a_line_was_left_out_is_said_in_chinese() -> None:
    """Reasons are catalog messages where they are written: a report in Chinese has no
    English reason left (the markup's own reasons were missing from the catalog once)."""
    result = _parse(
        "---\ntitle: 测验\n---\n\n前言。\n\n<!-- 草稿 -->\n\n1. 哪个是分词算法？\nA. BPE\nB. Adam\n"
        "Show Answer\n难度：⭐⭐\n答案：A\n\n第 1 页 共 1 页\n"
    )
    said = [skipped.text("zh") for skipped in result.skipped]
    assert said
    for line in said:
        quoted = {"Show", "Answer", "HTML"}  # the article's own words, and HTML
        words = [w for w in re.findall(r"[A-Za-z]{3,}", line) if w not in quoted]
        assert words == [], line


def test_a_bar_after_the_number_and_circled_letter_options() -> None:
    result = _parse(
        "Q1｜新增的可训练参数量是？\nA d×k\nB r×(d+k)\n答案：B\n\n"
        "Q2｜B 矩阵怎么初始化？\nⒶ 全零　Ⓑ 随机高斯\n答案 Ⓐ\n"
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [("q1", ["B"]), ("q2", ["A"])]
    assert classify(1, "Q2｜LoRA 怎么初始化？").q_number == 2
    assert classify(1, "题号 28：关于梯度累积，下列说法正确的是").q_number == 28
    assert classify(1, "答案 Ⓐ").kind is LineKind.ANSWER


def test_headings_that_ask_with_numbered_points_in_their_answers_and_a_quick_check() -> None:
    result = parse_article(
        "# RAG system design questions\n\n## How would you evaluate a RAG system?\n\n"
        "Work in three layers:\n\n1. **Retrieval** — recall@k on labelled questions.\n"
        "2. **Generation** — faithfulness to the context.\n\n"
        "## How do you handle scanned PDFs?\n\nOCR first; keep each table in one chunk.\n\n"
        "## Quick check\n\nWhich HNSW parameter trades recall for latency at query time?\n\n"
        "* A. `M`\n* B. `efSearch`\n\n**Answer:** B. It is set per query.\n",
        name="gitbook.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.prompt.en for q in questions] == [
        "How would you evaluate a RAG system?",
        "How do you handle scanned PDFs?",
        "Which HNSW parameter trades recall for latency at query time?",
    ]
    assert questions[0].reference.en.startswith("Work in three layers:")
    assert questions[2].answer == ["B"]


def test_notes_whose_headings_ask_or_tell_then_a_quiz_in_bold_and_a_note_to_self() -> None:
    result = parse_article(
        "# LLM Agents — Interview Prep\n\n## Fundamentals\n\n"
        "### What's the difference between an agent and a workflow?\n\n"
        "Who decides the control flow.\n\n"
        "### Walk me through how function calling works.\n\n"
        "The model returns a tool call; the app runs it.\n\n"
        "## Quick self-check\n\nThese came from a take-home quiz.\n\n"
        "**Which MCP primitive is model-controlled?**\n\nA) Resources\nB) Tools\n\nAnswer: B\n\n"
        "**Which guardrails are reasonable for shell access?**\n\nA) A sandbox\nB) Root "
        "credentials\nC) An allowlist\n\nAnswer: A, C\n\n📌 TODO: add the multi-agent question.\n",
        name="notion.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.prompt.en for q in questions] == [
        "What's the difference between an agent and a workflow?",
        "Walk me through how function calling works.",
        "Which MCP primitive is model-controlled?",
        "Which guardrails are reasonable for shell access?",
    ]
    assert questions[1].reference.en == "The model returns a tool call; the app runs it."
    assert [q.answer for q in questions[2:]] == [["B"], ["A", "C"]]
    dumped = str(result.bank.model_dump())
    assert "take-home" not in dumped
    assert "TODO" not in dumped


def test_an_a_under_a_question_is_its_answer_when_no_b_follows() -> None:
    result = parse_article(
        "## LLM Inference Interview Questions\n\n"
        "### Q1. What is the KV cache and why does it speed up decoding?\n\n"
        "A. The KV cache stores the keys and values of all previous tokens, so each step only "
        "computes them for the newest token.\n\nThe trade-off is memory.\n\n"
        "### Q2. Which metric does a long prompt hurt most?\n\n"
        "A. TTFT, because prefill has to process the whole prompt before the first token.\n"
        "B. TPOT, the time per output token.\n\n**Answer:** A\n",
        name="av.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.kind == "open"
    assert first.reference.en.startswith("The KV cache stores the keys and values")
    assert second.answer == ["A"]
    assert len(second.options) == 2


def test_headings_numbered_1_then_2_and_labels_typed_in_a_hurry() -> None:
    result = parse_article(
        "## 一、KV Cache\n### 1. KV Cache 里缓存的是什么？\nA. Q、K、V\n\nB. K 和 V\n\n答按：B\n\n"
        "### 2、哪个阶段是 compute-bound 的?\nA.prefill\n\nB.decode\n\n正确答案 A\n\n"
        "### 3. Which norm does LLaMA use?\nA. LayerNorm\nB. RMSNorm\n\nAnwser: B\n",
        name="yuque.md",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q1", ["B"]),
        ("q2", ["A"]),
        ("q3", ["B"]),
    ]
    assert not result.notes  # read from its label, not inferred from prose
    unanswered_first = parse_article(
        "### 1. KV Cache 里缓存的是什么？\nA. Q、K、V\nB. K 和 V\n\n"
        "### 2、哪个阶段是 compute-bound 的?\nA.prefill\nB.decode\n\n正确答案 A\n",
        name="yuque.md",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in unanswered_first.bank.questions] == [("q2", ["A"])]


def test_notes_whose_numbering_changes_style_from_question_to_question() -> None:
    result = parse_article(
        "LLM 八股整理（RAG 篇）\n\n一、RAG\n\nQ1 ★ 说一下 RAG 的基本流程\n"
        "离线切块建索引，在线检索再生成。\n\n"
        "Q2 chunk size 怎么选？\n太小缺上下文，太大稀释相似度。\n\n"
        "3. 为什么要做混合检索？\nBM25 补上关键词匹配。\n\n"
        "4、rerank 为什么用 cross-encoder？\n交叉编码打分更准。\n\n"
        "(5) RRF 融合主要用什么信息？\nA. 相似度分数\nB. 排名\n答：B\n\n"
        "Q6 怎么评估一个 RAG 系统\n检索看 Recall@k，生成看忠实度。\n\n"
        "七、HyDE 检索的是什么？\nA. 假设答案的向量\nB. 问题的关键词\n答案：A\n",
        name="feishu.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]
    assert questions[2].reference.zh == "BM25 补上关键词匹配。"
    assert [q.answer for q in questions[4::2]] == [["B"], ["A"]]
    assert questions[5].reference.zh == "检索看 Recall@k，生成看忠实度。"


def test_options_drawn_as_regional_indicator_letters() -> None:
    result = parse_article(
        "Q1. GPTQ compensates the rounding error using…\n🇦 the max of the activations\n"
        "🇧 second-order information from calibration data\n🇨 gradient momentum\n\n"
        "Answers: 1 🇧\n",
        name="discord.txt",
        bank_id="t",
    )
    question = result.bank.questions[0]
    assert [o.text.en for o in question.options] == [
        "the max of the activations",
        "second-order information from calibration data",
        "gradient momentum",
    ]
    assert question.answer == ["B"]


def test_questions_numbered_with_a_dash() -> None:
    result = parse_article(
        "17 - Which loss trains sentence embeddings for retrieval?\na. next-token\n"
        "b. contrastive with in-batch negatives\nans: b\n\n"
        "18 - Which norm does LLaMA use?\na. LayerNorm\nb. RMSNorm\nans: b\n",
        name="notes.txt",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [("q17", ["B"]), ("q18", ["B"])]


def test_a_threads_keys_run_together_and_a_bracketed_number_over_its_question() -> None:
    result = parse_article(
        "👉 14) Your agent keeps calling the same tool. Which fixes are legit? (pick all)\n\n"
        "A) A cap on steps\nB) Detecting repeated calls\nC) A higher temperature\n"
        "D) A token budget\n\nABD. C just makes the loop weirder.\n3\n14\n\n"
        "[15]\nWhat's the best first step to evaluate an agent?\n\nA) Run MMLU\n"
        "B) Collect real tasks and define success\n\nAnswer: B\n",
        name="thread.txt",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q14", ["A", "B", "D"]),
        ("q15", ["B"]),
    ]


def test_a_numbered_heading_that_tells_among_headings_that_ask_then_a_bold_quiz() -> None:
    result = _parse(
        "# Agent 面试题\n\n### Q1 什么是 Agent？\n\n由模型自己决定下一步做什么。\n\n"
        "### Q2 讲一下 ReAct 的思路\n\n让模型交替输出 Thought、Action 和 Observation。\n\n"
        "### Q3 工具到底是谁执行的？\n\n应用代码执行，模型只给出调用请求。\n\n## 小测\n\n"
        "**Q4 ReAct 里 Action 之后是什么？**\n\nA. Observation\nB. Reward\n\n答：A\n\n"
        "**Q5 MCP 有哪些角色？（多选）**\n\nA. Host\nB. Client\nC. Server\n\n答：ABC\n"
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2", "q3", "q4", "q5"]
    assert result.bank.questions[1].reference.get("zh").startswith("让模型交替输出")
    assert "ReAct 的思路" not in result.bank.questions[0].reference.get("zh")


def test_keys_in_brackets_and_answers_after_a_dash_on_the_questions_own_line() -> None:
    result = _parse(
        "Intended answers are in brackets.\n\n"
        "1. Cosine similarity of normalised vectors equals: (a) their distance (b) their dot "
        "product (c) the angle [intended: b]\n\n"
        "2. Which reduce hallucinations? (a) citations (b) higher temperature (c) a reranker "
        "[intended: a, c]\n\n3. 下面哪个是稀疏检索？ A. BM25 B. DPR（答案：A）\n\n"
        "4. What is a context window? — The most tokens the model can attend to in one call.\n\n"
        "5. How do you sandbox an agent? — Run it in a container without credentials.\n"
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:3]] == [["B"], ["A", "C"], ["A"]]
    assert questions[0].prompt.get("en") == "Cosine similarity of normalised vectors equals:"
    assert questions[3].prompt.get("en") == "What is a context window?"
    assert questions[3].reference.get("en") == (
        "The most tokens the model can attend to in one call."
    )


def test_one_dash_after_a_question_is_no_answer() -> None:
    result = _parse(
        "1. What is a KV cache? — a classic from my last onsite\n\n"
        "Answer: cached keys and values.\n"
    )
    assert result.bank.questions[0].reference.get("en") == "cached keys and values."


def test_an_answer_listing_several_unlettered_bullets_by_their_text() -> None:
    result = _parse(
        "5. 以下哪些属于集合通信原语？（多选）\n• All-Reduce\n• All-Gather\n• Reduce-Scatter\n"
        "• Gradient Checkpointing\n答案：All-Reduce、All-Gather、Reduce-Scatter\n"
    )
    [question] = result.bank.questions
    assert [option.key for option in question.options] == ["A", "B", "C", "D"]
    assert question.answer == ["A", "B", "C"]


def test_emoji_bullets_answered_by_their_texts_before_a_remark() -> None:
    result = _parse(
        "3️⃣ 下面哪些属于 PEFT 方法？（多选）\n🔹 LoRA\n🔹 Prefix Tuning\n🔹 全参数微调\n🔹 Adapter\n"
        "答案：LoRA、Prefix Tuning、Adapter（全参数微调当然不算啦）\n"
    )
    [question] = result.bank.questions
    assert [option.text.get("zh") for option in question.options][2] == "全参数微调"
    assert question.answer == ["A", "B", "D"]


def test_headings_labelled_q_are_questions_answered_by_the_paragraphs_under_them() -> None:
    result = _parse(
        "## Q: Why does a Transformer need positions?\n\nAttention is permutation-equivariant.\n\n"
        "## Q: Quick check\n\nHow big is each head?\n\n- A. 64\n- B. 128\n\n**Answer:** B.\n\n"
        "## Q: What is weight tying?\n\nSharing the embedding and the LM head.\n"
    )
    got = [(q.kind, q.prompt.get("en")) for q in result.bank.questions]
    assert [kind for kind, _ in got] == ["open", "single", "open"]
    assert got[0][1] == "Why does a Transformer need positions?"
    assert result.bank.questions[2].reference.get("en") == "Sharing the embedding and the LM head."


def test_options_after_colons_two_to_a_line_and_sizes_that_read_like_keys() -> None:
    result = _parse(
        "### 5. 哪种方法逐列量化并补偿误差？\n\n- AWQ\n- GPTQ\n- RTN\n\n答案：GPTQ\n\n"
        "### 6. 70B 模型量化到 INT4 约占多少显存？\n\n"
        "A：17.5 GB　　B：35 GB\nC：70 GB　　　D：140 GB\n\n答案：B\n"
    )
    first, second = result.bank.questions
    assert first.answer == ["B"]
    assert [o.text.get("zh") for o in second.options] == ["17.5 GB", "35 GB", "70 GB", "140 GB"]
    assert second.answer == ["B"]


def test_an_answer_given_as_an_options_text_with_a_remark_in_brackets() -> None:
    result = _parse(
        "### 3. How many parameters does a rank-8 LoRA add to a 4096 × 4096 layer?\n\n"
        "A. 8,192\nB. 32,768\nC. 65,536\n\n**Answer:** C (8 × 4096 for A plus 4096 × 8 for B)\n\n"
        "### 5. How much memory per parameter does Adam in mixed precision need?\n\n"
        "- 2 bytes\n- 8 bytes\n- 16 bytes\n\n**Answer:** 16 bytes (2 for weights, 2 for grads)\n"
    )
    first, second = result.bank.questions
    assert (first.answer, second.answer) == (["C"], ["C"])
    assert second.explanation.get("en") == "(2 for weights, 2 for grads)"


def test_a_quoted_answer_label_alone_over_quoted_points_answers_without_quote_marks() -> None:
    result = _parse(
        "**Q9: How do you evaluate an agent offline?**\n\n> **A:**\n"
        "> - Build a task suite with sandboxed tools.\n> - Report success rate and pass^k.\n\n"
        "**Q10: What is ReAct?**\n\n> **A:** Reasoning and acting, one step at a time.\n\n"
    )
    points = _parse(
        "### 第 6 题　【简答】\n\n你会怎么评估一个中文对话模型？\n\n> 参考答案：\n"
        "> 1. 能力维度：用 C-Eval 评知识；\n> 2. 对话质量：做 pairwise 评判；\n"
        "> 3. 安全性：统计违规率。\n\n### 第 7 题　【单选】\n\nROUGE-L 基于什么计算？\n\n"
        "A. 词向量\nB. 最长公共子序列\n\n> 正确答案：B\n"
    ).bank.questions
    assert [q.id for q in points] == ["q6", "q7"]
    assert "3. 安全性" in points[0].reference.get("zh")
    first, second = result.bank.questions
    assert first.reference.get("en") == (
        "- Build a task suite with sandboxed tools.\n- Report success rate and pass^k."
    )
    assert second.reference.get("en") == "Reasoning and acting, one step at a time."


def test_points_under_an_answer_label_are_its_answer_not_questions_or_a_key() -> None:
    result = _parse(
        "NO.29\n长上下文模型会取代 RAG 吗？\n参考答案：短期内不会，RAG 还能溯源和控制权限。\n\n"
        "NO.30\n为什么不直接在 1M 长度上做预训练？\n参考答案：\n"
        "1. 注意力计算量随长度平方增长；\n2. 长文本数据稀缺；\n3. 先短后长的做法性价比高得多。\n"
    )
    assert [q.id for q in result.bank.questions] == ["q29", "q30"]
    reference = result.bank.questions[1].reference.get("zh")
    assert reference.startswith("1. 注意力计算量随长度平方增长；")
    assert reference.endswith("3. 先短后长的做法性价比高得多。")


def test_a_note_beside_the_number_over_the_prompt_is_not_the_prompt() -> None:
    result = _parse(
        "Q31 (added by Priya)\nWhat is a jailbreak?\nAnswer: a prompt that gets around the "
        "model's own safety training.\n\n🧠 **Question 2** (single answer)\nWhich transport "
        "suits a local MCP server?\nA. stdio\nB. WebSocket\nAnswer: A\n"
    )
    first, second = result.bank.questions
    assert first.prompt.get("en") == "What is a jailbreak?"
    assert second.prompt.get("en") == "Which transport suits a local MCP server?"


def test_a_sample_question_label_numbers_the_questions_under_numbered_sections() -> None:
    result = _parse(
        "## 1. 写在前面\n\n我们的面试流程如下。\n\n## 2. 样题\n\n"
        "**样题 1**：perplexity 能跨 tokenizer 比较吗？\n\nA. 能\nB. 不能\n\n参考答案：B\n\n"
        "**样题 2**：为什么要除以 √d？\n\n参考思路：点积方差随维度增长。\n"
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [("q1", ["B"]), ("q2", [])]


def test_a_key_after_the_label_and_a_space_may_carry_a_note_in_brackets() -> None:
    line = classify(1, "答案 ACD（B 不对，还是 O(n²)）")
    assert (line.kind, line.answer_value) == (LineKind.ANSWER, "ACD（B 不对，还是 O(n²)）")


def test_a_series_links_and_next_part_close_the_article() -> None:
    result = _parse(
        "第39题\n【简答】为什么主流大模型是 decoder-only？\n参考答案：训练目标和生成一致。\n\n"
        "第40题\n【简答】FlashAttention 是近似注意力吗？\n"
        "参考答案：它和标准注意力数学上一致，只是少了显存读写。\n\n"
        "前面几篇的链接：\n大模型面试题（三）：SFT 与 LoRA 微调（第21-30题）\n\n"
        "下一篇是对齐（RLHF / DPO），预计从第 41 题开始。\n"
    )
    last = result.bank.questions[-1]
    assert last.reference.get("zh") == "它和标准注意力数学上一致，只是少了显存读写。"
    assert last.explanation is None


def test_a_numbered_question_asked_as_a_request_keeps_the_chain() -> None:
    result = _parse(
        "1. Walk me through prefill vs decode. Why do they stress the GPU differently?\n\n"
        "Prefill is compute-bound; decode is memory-bound.\n\n"
        "2. Estimate the KV cache for Qwen2.5-14B at 32K context. (48 layers, 8 KV heads.)\n\n"
        "Per token 2 x 48 x 8 x 128 x 2 bytes = 192 KiB; 6 GiB at 32K.\n\n"
        "3. What does continuous batching buy you?\n\nSequences join and leave at every step.\n"
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2", "q3"]
    assert result.bank.questions[1].reference.get("en").startswith("Per token")


def test_a_threads_close_and_the_series_next_part_end_the_article() -> None:
    """ "That's part 2." and "That's Q11–Q20." close a thread; "下一篇是…" points to the
    series' next post, with 简书's page under it."""
    en = _parse(
        "Q11. What is MFU?\nUseful FLOPs over the hardware peak.\n\n"
        "That's part 2. Part 3 will be on agents.\n\nMissing some Tweet in this thread?\n"
    )
    assert en.bank.questions[0].reference.get("en") == "Useful FLOPs over the hardware peak."
    assert "Missing some Tweet" not in str(en.bank.model_dump())
    for tail in ("下一篇是第 31～40 题，讲 SFT 和 LoRA。\n\n", "更多精彩内容，就在简书APP\n\n"):
        zh = _parse(
            f"第29题\n什么是 MFU？\n\n参考答案：有效 FLOPs 占硬件峰值的比例。\n\n{tail}"
            "小林\n总资产12共写了4.1W字获得86个赞\n"
        )
        assert zh.bank.questions[0].reference.get("zh") == "有效 FLOPs 占硬件峰值的比例。"
        assert "总资产" not in str(zh.bank.model_dump())


def test_a_wechat_quizs_scroll_cue_and_sign_off_are_left_out() -> None:
    """ "👇 先想一想，再往下滑看答案 👇" between a question and its answer is a cue to the
    reader; "今天的 10 道题你答对了几道？" and "以上，如果有错误欢迎指出～" close the post."""
    for close in ("今天的 10 道题你答对了几道？评论区见。", "以上，如果有错误欢迎指出～"):
        result = _parse(
            "1. KV cache 存的是什么？\n\n👇 先想一想，再往下滑看答案 👇\n\n"
            f"答案：每层的 K 和 V。\n\n2. 什么是 MFU？\n\n答案：有效算力占比。\n\n{close}\n\n"
            "往期推荐：字节一面问了这 20 个问题\n"
        )
        dumped = str(result.bank.model_dump())
        assert [q.reference.zh for q in result.bank.questions] == [
            "每层的 K 和 V。",
            "有效算力占比。",
        ]
        assert "往下滑" not in dumped
        assert "往期推荐" not in dumped


def test_a_notes_references_after_the_last_answer_end_it() -> None:
    """ "参考：<br />[1] Hoffmann et al., …" cites papers; it is no reference answer labelled
    "参考：", and no part of the last question's."""
    for line in (
        "参考：<br />[1] Hoffmann et al., Training Compute-Optimal LLMs, 2022",
        "参考：[1] PaLM",
    ):
        result = _parse(
            "### 1. 预训练的目标是什么？\n\n预测下一个 token。\n\n"
            "### 2. 涌现能力是真的吗？\n\n可能部分来自评价指标的不连续。\n\n---\n\n:::info\n"
            f"{line}<br />[2] Kaplan et al., Scaling Laws, 2020\n:::\n"
        )
        assert result.bank.questions[1].reference.zh == "可能部分来自评价指标的不连续。"
