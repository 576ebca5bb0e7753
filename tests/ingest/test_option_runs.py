"""Options written without a letter and a full stop: circled numbers, a key and a space."""

from __future__ import annotations

from llmiq.ingest import parse_article


def _options(text: str) -> list[list[tuple[str, str]]]:
    bank = parse_article(text, name="notes.md", bank_id="t").bank
    return [[(o.key, o.text.get("zh")) for o in q.options] for q in bank.questions]


def test_circled_options_on_one_line_are_split_in_order() -> None:
    text = (
        "**1. 为什么要除以 √dk？**\n\n① 防止 softmax 饱和 ② 减少参数量 ③ 加快矩阵乘法\n\n"
        "答案：①\n\n"
        "**2. 哪些减小 KV Cache？（多选）**\n\n- ① LayerNorm ② MQA ③ GQA\n\n答案：②③\n"
    )
    assert _options(text) == [
        [("A", "防止 softmax 饱和"), ("B", "减少参数量"), ("C", "加快矩阵乘法")],
        [("A", "LayerNorm"), ("B", "MQA"), ("C", "GQA")],
    ]
    bank = parse_article(text, name="notes.md", bank_id="t").bank
    assert [q.answer for q in bank.questions] == [["A"], ["B", "C"]]


def test_circled_numbers_out_of_order_are_left_as_text() -> None:
    result = parse_article(
        "1. 下面说法对吗？\n\n① 先做 ③ 再做 ② 最后\n\n答案：对\n", name="n.md", bank_id="t"
    )
    question = result.bank.questions[0]
    assert question.kind == "open"
    assert "① 先做 ③ 再做" in question.prompt.get("zh")


def test_options_joined_by_html_line_breaks_are_split() -> None:
    text = (
        '<a name="q1"></a>\n### 1. INT8 对称量化的 scale？\n'
        "A. max(|W|) / 127<br />B. (max - min) / 255<BR>C. mean(|W|) / 128\n\n【答案】A\n"
    )
    assert _options(text) == [[("A", "max(|W|) / 127"), ("B", "(max - min) / 255"),
                               ("C", "mean(|W|) / 128")]]  # fmt: skip


def test_bold_keys_followed_by_a_space_are_options() -> None:
    text = "1. 预训练目标是？\n\n**A** 掩码语言模型\n**B** 预测下一个 token\n\n答案：B\n"
    assert _options(text) == [[("A", "掩码语言模型"), ("B", "预测下一个 token")]]


def test_a_numbered_list_answered_by_number_is_options() -> None:
    bank = parse_article(
        "## Question 11 🔥\n\nReAct interleaves which two things?\n\n1. Retrieval\n"
        "2. Reasoning and actions\n3. Voting\n\n**Answer: 2.** Thought, action, observation.\n\n"
        "## Question 12\n\nCore agent components? (Pick all.)\n\n1. Planning\n2. Memory\n"
        "3. A larger tokenizer\n\n**Correct options: 1 and 2.**\n\n"
        "## #13 (bonus)\n\nHow did Toolformer learn?\n\n1. RLHF\n2. Self-supervision\n\n"
        "The right choice is 2.\n",
        name="medium.html.md",
        bank_id="t",
    ).bank
    q11, q12, q13 = bank.questions
    assert [o.text.get("en") for o in q11.options] == [
        "Retrieval",
        "Reasoning and actions",
        "Voting",
    ]
    assert (q11.prompt.get("en"), q11.answer) == ("ReAct interleaves which two things?", ["B"])
    assert q11.explanation.get("en") == "Thought, action, observation."
    assert (q12.kind, q12.answer) == ("multiple", ["A", "B"])
    assert (q13.id, q13.prompt.get("en"), q13.answer) == ("q13", "How did Toolformer learn?", ["B"])


def test_a_numbered_list_of_points_stays_a_list() -> None:
    bank = parse_article(
        "## Question 1\n\nWhy warm up the learning rate?\n\n1. Adam's moments are noisy early\n"
        "2. Large early updates diverge\n\n**Answer:** both points above matter.\n",
        name="notes.md",
        bank_id="t",
    ).bank
    question = bank.questions[0]
    assert question.kind == "open"
    assert "1. Adam's moments are noisy early" in question.prompt.get("en")


def test_a_numbered_list_answered_by_number_under_a_folded_answer_label() -> None:
    bank = parse_article(
        "### Q4. RRF gives a document the score:\n\n1. the maximum score\n2. Σ 1 / (k + rank)\n"
        "3. the product of ranks\n\n<details>\n<summary>Answer</summary>\n\n"
        "**2**. RRF only uses ranks.\n\n</details>\n\n"
        "> [!question] Q5. Reward hacking means the policy…\n> 1. memorises data\n"
        "> 2. games the reward model\n>\n> > [!success]- Answer\n> > ✅ 2 → **B**. A proxy.\n",
        name="notion.md",
        bank_id="t",
    ).bank
    q4, q5 = bank.questions
    assert (q4.kind, q4.answer) == ("single", ["B"])
    assert q4.explanation.get("en") == "RRF only uses ranks."
    assert (q5.kind, q5.answer) == ("single", ["B"])


def test_a_true_false_pair_on_one_line_is_two_options() -> None:
    text = (
        "### 5. 判断：INT4 权重量化后，矩阵乘一定用 INT4 算力完成。\n\n正确　　错误\n\n"
        "答案：错误。W4A16 推理时把权重反量化回 FP16。\n\n"
        "### 6. Is RoPE applied to the values?\n\nTrue / False\n\nAnswer: False\n"
    )
    result = parse_article(text, name="notes.md", bank_id="t")
    assert [[o.key for o in q.options] for q in result.bank.questions] == [["A", "B"]] * 2
    assert [q.answer for q in result.bank.questions] == [["B"], ["B"]]
    assert _options(text)[0] == [("A", "正确"), ("B", "错误")]


def test_lower_case_keys_behind_a_full_width_bracket_need_no_space() -> None:
    text = (
        "### 7. 关于 GPTQ 与 AWQ，说法正确的有（多选）\n\n"
        "- a）GPTQ 逐列量化并补偿误差\n- b）AWQ 需要重新训练\n- c）AWQ 按激活幅度保护通道\n\n"
        "答案：a、c\n"
    )
    assert _options(text) == [
        [
            ("A", "GPTQ 逐列量化并补偿误差"),
            ("B", "AWQ 需要重新训练"),
            ("C", "AWQ 按激活幅度保护通道"),
        ]
    ]
    prose = parse_article("1. 什么是 a)b？\n\n答案：一个表达式\n", name="n.md", bank_id="t")
    assert prose.bank.questions[0].kind == "open"


def test_an_html_table_row_of_options_in_markdown_is_split_into_options() -> None:
    text = (
        "### 1. 哪种数据类型的动态范围与 FP32 相同？\n\n<table>\n"
        "<tr><td>A. FP16</td><td>B. INT8</td><td>C. BF16</td><td>D. FP8</td></tr>\n</table>\n\n"
        "答案：C\n"
    )
    assert _options(text) == [[("A", "FP16"), ("B", "INT8"), ("C", "BF16"), ("D", "FP8")]]


def test_options_numbered_in_brackets_answered_by_number() -> None:
    text = (
        "### 5. SmoothQuant 的核心思想是什么？\n\n(1) 只量化注意力层\n"
        "(2) 把激活的量化难度迁移到权重\n(3) 训练时加平滑正则\n\n**答案**：(2)\n"
    )
    assert _options(text) == [
        [("A", "只量化注意力层"), ("B", "把激活的量化难度迁移到权重"), ("C", "训练时加平滑正则")]
    ]
    bank = parse_article(text, name="notes.md", bank_id="t").bank
    assert bank.questions[0].answer == ["B"]


def test_options_numbered_in_roman_answered_by_bare_numerals() -> None:
    text = (
        "5. What is the main risk of self-judging?\ni) too slow\nii) self-preference bias\n"
        "iii) no numeric scores\niv) licensing\n\nAnswer: ii\n\n"
        "6. Which stop generation?\ni) an end token\nii) a token limit\niii) top-p\n"
        "iv) a stop string\n\nAnswer: i, ii and iv. Lowering top-p never stops it.\n"
    )
    result = parse_article(text, name="quiz.md", bank_id="t")
    assert [q.answer for q in result.bank.questions] == [["B"], ["A", "B", "D"]]
    assert result.bank.questions[1].explanation.get("en") == "Lowering top-p never stops it."


def test_a_documents_numbered_list_under_a_question_answered_by_a_letter() -> None:
    text = (
        "**2\\. About how many tokens does one English word take?**\n\n"
        "1. 0.5\n2. 0.75\n3. 1.3\n4. 3\n\n**Answer:** c\n"
    )
    [question] = parse_article(text, name="doc.md", bank_id="t").bank.questions
    assert question.id == "q2"
    assert [o.text.get("en") for o in question.options] == ["0.5", "0.75", "1.3", "3"]
    assert question.answer == ["C"]
