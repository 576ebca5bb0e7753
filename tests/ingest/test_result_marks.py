"""Options marked right or wrong, as a saved quiz results page or a key on the options
shows them: the marked options answer the question and the marks leave the text."""

from __future__ import annotations

import pytest

from llmiq.errors import LlmiqError
from llmiq.ingest import import_text, parse_article
from llmiq.ingest.result import ImportResult
from llmiq.ingest.result_marks import rewrite_result_marks


def _parse(text: str) -> ImportResult:
    return parse_article(text, name="quiz.md", bank_id="t")


def _options(result: ImportResult, n: int = 0) -> list[str]:
    return [o.text.get("en") for o in result.bank.questions[n].options]


def test_a_results_page_answers_with_its_marks_and_drops_the_badges() -> None:
    result = _parse(
        "**Question 1 of 2**\n\nWhich index is graph-based?\n\n"
        "- Flat index\n- B-tree ✘ Your answer\n- HNSW ✔ Correct answer\n- Inverted index\n\n"
        "**Question 2 of 2** (select all that apply)\n\nWhy chunk documents?\n\n"
        "- To grow the LLM\n- Input length limits ✔ Correct answer Your answer\n"
        "- Precise matches ✔ Correct answer\n\n"
        "Your answer: (no answer given)\n"
    )
    first, second = result.bank.questions
    assert (first.id, first.kind, first.answer) == ("q1", "single", ["C"])
    assert _options(result) == ["Flat index", "B-tree", "HNSW", "Inverted index"]
    assert first.prompt.get("en") == "Which index is graph-based?"
    assert (second.kind, second.answer) == ("multiple", ["B", "C"])
    assert _options(result, 1) == ["To grow the LLM", "Input length limits", "Precise matches"]
    assert "no answer given" not in str(second.model_dump())


def test_lettered_options_marked_in_chinese_and_with_brackets() -> None:
    result = _parse(
        "1. 哪个是分词算法？\nA. Adam\nB. BPE √\nC. Dropout\n\n"
        "2. Which are optimizers?\nA) Adam (correct)\nB) BPE\nC) SGD (correct)\n"
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A", "C"]]
    assert _options(result) == ["Adam", "BPE", "Dropout"]
    assert _options(result, 1) == ["Adam", "BPE", "SGD"]


def test_marks_before_the_option_count_too() -> None:
    result = _parse("1. Capital of France?\n- ✘ Lyon\n- ✔ Paris\n- ✘ Nice\n")
    assert result.bank.questions[0].answer == ["B"]
    assert _options(result) == ["Lyon", "Paris", "Nice"]


def test_a_list_without_a_mark_of_a_right_answer_is_left_as_written() -> None:
    lines = ["- keep calm (your answer)", "- carry on ✘", "", "```", "- x ✔ Correct", "- y", "```"]
    assert rewrite_result_marks(lines) == lines


def test_a_right_mark_turns_its_run_into_a_task_list_line_for_line() -> None:
    lines = ["Intro ✔", "- a ✘ Your answer", "- b ✔ Correct answer", "- c", "", "- d ✔"]
    assert rewrite_result_marks(lines) == [
        "Intro ✔",
        "- [ ] a",
        "- [x] b",
        "- [ ] c",
        "",
        "- d ✔",  # a run of one is no list of options
    ]


def test_a_homework_review_keeps_the_right_answer_not_the_readers() -> None:
    result = _parse(
        "一. 单选题（共2题，18分）\n"
        "1. (单选题, 9分)pass@k 指的是什么？\n"
        "A.\n至少一个样本通过的概率\nB.\n前 k 个 token 的准确率\n"
        "我的答案: B:前 k 个 token 的准确率;正确答案: A:至少一个样本通过的概率;\n0分\nAI讲解\n"
        "2. (简答题, 14分)什么是幻觉？\n我的答案:\n就是胡说八道。\n正确答案:\n"
        "生成内容与事实或上下文不符。\n12分\n收起\nAI讲解\n"
    )
    first, second = result.bank.questions
    assert (first.prompt.get("zh"), first.answer) == ("pass@k 指的是什么？", ["A"])
    assert second.prompt.get("zh") == "什么是幻觉？"
    assert second.reference.get("zh") == "生成内容与事实或上下文不符。"
    assert "胡说八道" not in str(result.bank.model_dump())
    assert "AI讲解" not in str(result.bank.model_dump())


def test_my_answer_in_notes_is_the_authors_answer() -> None:
    result = _parse("1. 什么是 LoRA？\n我的答案：冻结原权重，只训练低秩增量。\n")
    assert result.bank.questions[0].reference.get("zh") == "冻结原权重，只训练低秩增量。"


def test_a_course_sites_review_labels_answer_unnumbered_questions() -> None:
    item = '<li><span class="label">{label}</span><div><p>{text}</p></div></li>'
    page = (
        "<html><body><main><h2>Practice Test 2</h2>"
        "<p>Byte-Pair Encoding builds its vocabulary by:</p><ul>"
        + item.format(label="Your answer is correct", text="merging frequent pairs")
        + "<li><div><p>pruning a large vocabulary</p></div></li></ul>"
        "<p>Overall explanation</p><p>BPE merges bottom-up.</p>"
        "<p>Which algorithm prunes a seed vocabulary?</p><ul>"
        "<li><div><p>BPE</p></div></li>"
        + item.format(label="Your answer is incorrect", text="WordPiece")
        + item.format(label="Correct answer", text="Unigram")
        + "</ul></main></body></html>"
    )
    result = import_text(page, name="review.html", bank_id="t")
    first, second = result.bank.questions
    assert (first.answer, second.answer) == (["A"], ["C"])
    assert [o.text.get("en") for o in second.options] == ["BPE", "WordPiece", "Unigram"]
    assert second.prompt.get("en") == "Which algorithm prunes a seed vocabulary?"


def test_a_homework_review_keeps_the_right_answer_not_the_students() -> None:
    result = _parse(
        "1. 单选题 (8分)\n\nZeRO Stage 2 在 Stage 1 的基础上进一步切分了\n\n"
        "- A 模型参数\n- B 梯度\n\n"
        "我的答案：A\n\n正确答案：B\n\n本题得分：0 分\n\n"
        "2. 主观题 (22分)\n\n简述 ZeRO-3 与 FSDP 的关系。\n\n我的作答：\n\n我觉得就是切成几块。\n\n"
        "参考答案：\n\nFSDP 是 PyTorch 原生的 ZeRO-3 实现。\n\n本题得分：10 分\n"
    )
    first, second = result.bank.questions
    assert first.answer == ["B"]
    assert "本题得分" not in str(first.explanation)
    assert second.reference.get("zh") == "FSDP 是 PyTorch 原生的 ZeRO-3 实现。"
    assert "我觉得" not in second.prompt.get("zh") + str(second.explanation)


def test_a_practice_report_copied_as_text_with_its_letters_on_lines_of_their_own() -> None:
    result = _parse(
        "[单选题]\n1/2\n以下关于 BPE 的说法，正确的是？\nA\n反复合并最高频的相邻符号对\nB\n"
        "按语义聚类\n收藏本题　纠错　反馈\n正确答案: A　你的答案: A (正确)\n添加笔记　邀请讨论\n"
        "官方解析：BPE 自底向上合并。\n知识点：自然语言处理\n讨论 (12)　点击查看全部讨论\n\n"
        "[多选题]\n2/2\ntokenizer 会影响什么？\nA\n序列长度\nB\n词表大小\nC\n只有推理速度\n"
        "正确答案: AB　你的答案: ABC (错误)\n"
    )
    first, second = result.bank.questions
    assert (first.id, first.answer, second.answer) == ("q1", ["A"], ["A", "B"])
    assert [o.text.get("zh") for o in first.options] == ["反复合并最高频的相邻符号对", "按语义聚类"]
    assert first.prompt.get("zh") == "以下关于 BPE 的说法，正确的是？"
    assert first.explanation.get("zh") == "BPE 自底向上合并。"


def test_a_practice_reports_options_that_are_numbers_on_lines_of_their_own() -> None:
    """ "A" over "64": the option's text, not a line numbering question 64."""
    result = _parse(
        "1\n[单选题]\n上一题？\nA\n是\nB\n否\n正确答案: A\n\n"
        "2\n[单选题]\n4096 维、32 个头，每个头的维度是？\nA\n64\nB\n128\nC\n256\nD\n4096\n"
        "正确答案: B   你的答案: B (正确)\n\n3\n[单选题]\n下一题？\nA\n是\nB\n否\n正确答案: A\n"
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q1", ["A"]),
        ("q2", ["B"]),
        ("q3", ["A"]),
    ]
    assert [o.text.get("zh") for o in result.bank.questions[1].options] == [
        "64",
        "128",
        "256",
        "4096",
    ]


def test_a_unit_test_review_with_marks_scores_and_the_students_open_answer() -> None:
    result = _parse(
        "1.【单选题】\n\nSwitch Transformer 每个 token 路由到几个专家？（ ）\n\n"
        "A. 1 个 B. 2 个 C. 4 个\n\n✘ 回答错误 我的答案：B 正确答案：A 得分：0.0\n\n"
        "查看解析 ☆ 收藏 纠错 问问 AI 助教：这道题为什么选这个？\n\n"
        "2.【简答题】\n\n部署 MoE 有哪些难点？\n\n我的答案：\n\n显存占用大。\n\n得分：0.0\n\n"
        "参考答案：\n\n全部专家的权重都要常驻显存。\n\n收起解析 ☆ 收藏 纠错\n"
    )
    first, second = result.bank.questions
    assert first.answer == ["A"]
    assert first.explanation is None
    assert second.reference.get("zh") == "全部专家的权重都要常驻显存。"
    assert "显存占用大" not in second.prompt.get("zh") + str(second.explanation)


def test_a_wikis_emoji_codes_and_numbered_task_lists_mark_the_key() -> None:
    result = parse_article(
        "### 1. At T → ∞ the distribution becomes:\n\n1. [ ] One-hot\n1. [x] Close to uniform\n\n"
        "### 2. Which make text more diverse? (select all)\n\n"
        "- A. Raising the temperature :white_check_mark:\n"
        "- B. Increasing top-p from 0.5 to 0.95 :white_check_mark:\n"
        "- C. Greedy decoding :x:\n- D. Increasing top-k from 5 to 100 :white_check_mark:\n",
        name="wiki.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["A", "B", "D"])
    assert [o.text.en for o in first.options] == ["One-hot", "Close to uniform"]
    assert second.options[1].text.en == "Increasing top-p from 0.5 to 0.95"


def test_ballot_boxes_alone_on_their_lines_are_no_options() -> None:
    with pytest.raises(LlmiqError):  # found by the fuzz test: options "A" and "B" from nothing
        parse_article("0\n☐\n☑\n0\n☐\n☑\n", name="fuzz.txt", bank_id="t")


def test_a_mark_inside_the_bold_of_an_option_and_options_lettered_with_a_colon() -> None:
    result = parse_article(
        "**1. How does the repetition penalty work?**\n\n- A. It removes prompt tokens\n"
        "- B. **It rescales the logits of tokens already seen ← correct**\n- C. It adds a bonus\n\n"
        "**2. Min-p with min_p = 0.1 keeps which tokens?**\n\n- a: the top 10% of the vocabulary\n"
        "- b: tokens at least 0.1 × the top token's probability\n\n**Answer:** b\n",
        name="craft.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["B"])
    assert first.options[1].text.en == "It rescales the logits of tokens already seen"
    assert second.options[0].text.en == "the top 10% of the vocabulary"


def test_a_forms_results_copied_as_text_answer_with_the_worded_mark() -> None:
    result = _parse(
        "1. Which describes W4A16? * (2 Points)\n(2/2 Points)\n"
        "Weights in 16-bit, activations in 4-bit\n"
        "Weights in 4-bit, activations in 16-bit   ✓ Correct answer\n"
        "Both in 4-bit\nFeedback: weight-only quantization.\n\n"
        "2. 倒数排名融合 RRF 中 k 的常用默认值是？ [单选题] *\n"
        "○ 1\n● 10　✗ 你的答案\n○ 60　✓ 正确答案\n本题得分：0 分\n"
    )
    first, second = result.bank.questions
    assert _options(result) == [
        "Weights in 16-bit, activations in 4-bit",
        "Weights in 4-bit, activations in 16-bit",
        "Both in 4-bit",
    ]
    assert first.answer == ["B"]
    assert first.prompt.get("en") == "Which describes W4A16?"
    assert [o.text.get("zh") for o in second.options] == ["1", "10", "60"]
    assert second.answer == ["C"]
    assert second.prompt.get("zh") == "倒数排名融合 RRF 中 k 的常用默认值是？"


@pytest.mark.parametrize(
    "lines",
    [
        [":::tip[Answer]", "**A, B, C.** ALiBi is a different scheme.", ":::"],
        ["See the box below [Answer]", "ALiBi is a different scheme."],
        ["Checked the logs ✓", "Then restarted the server"],
    ],
)
def test_plain_lines_without_a_worded_mark_are_no_options(lines: list[str]) -> None:
    assert rewrite_result_marks(lines) == lines


def test_verdict_paragraphs_under_the_chosen_options_give_the_key() -> None:
    """Microsoft Learn's assessment: the taker's ticks say nothing; "Correct." says which."""
    result = _parse(
        "1.\n\nWhich statements about few-shot prompting are true? Select all that apply.\n\n"
        "[x] It puts examples in the prompt\n\nCorrect.\n\n"
        "[x] It updates the model's weights\n\nIncorrect. No weights change.\n\n"
        "[ ] It helps the model follow a format\n\n"
        "2.\n\nWhat are embeddings used for?\n\nCompressing weights\n\n"
        "Incorrect. That is quantization.\n\nFinding similar text\n\n"
        "Correct. Similar meanings are close together.\n\nEncrypting prompts\n\n"
        "You scored 50%. You need at least 80% to pass.\n"
    )
    first, second = result.bank.questions
    assert [o.text.get("en") for o in first.options][1] == "It updates the model's weights"
    assert first.answer == ["A"]
    assert [o.text.get("en") for o in second.options] == [
        "Compressing weights",
        "Finding similar text",
        "Encrypting prompts",
    ]
    assert second.answer == ["B"]
    assert second.explanation.get("en") == "Similar meanings are close together."


@pytest.mark.parametrize(
    "text",
    [
        "1. Why warm up?\n\nCorrect. Adam needs it.\n\nAnswer: it keeps Adam stable.\n",
        "1. Why warm up?\n\nCorrect. Adam needs it.\n\nIt keeps Adam stable.\n\nSo do it.\n",
    ],
)
def test_a_correct_paragraph_under_no_option_is_no_verdict(text: str) -> None:
    [question] = _parse(text).bank.questions
    assert question.options == []


def test_a_ticked_key_under_the_options_is_the_answer_not_another_option() -> None:
    result = parse_article(
        "7️⃣ Your 30B run shows a loss spike. What do you do first?\n(A) Double the batch\n"
        "(B) Roll back and skip the batches\n(C) Switch to SGD\n(D) Ignore it\n"
        "✅ (B). Then look at the data in those batches.\n",
        name="post.txt",
        bank_id="t",
    )
    question = result.bank.questions[0]
    assert [o.key for o in question.options] == ["A", "B", "C", "D"]
    assert question.answer == ["B"]
