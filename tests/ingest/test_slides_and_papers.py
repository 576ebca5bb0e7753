"""Slide decks exported as text and exam papers taken from a PDF: numbers said twice, speaker
notes, instructions, parts, and keys at the end."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.result import ImportResult


def _parse(text: str) -> ImportResult:
    return parse_article(text, name="deck.txt", bank_id="t")


def _reasons(result: ImportResult) -> list[tuple[int, str]]:
    return [(s.first, s.reason.removesuffix(", not imported")) for s in result.skipped]


def test_a_slide_repeating_the_number_above_the_answer_belongs_to_the_question() -> None:
    result = _parse(
        "Slide 3\nQ.13\nFP8 E4M3: how many exponent bits?\nA   3\nB   4\nC   5\n\n"
        "Speaker notes:\nGive the room 20 seconds.\nPeople confuse E4M3 and E5M2.\n\n"
        "Slide 4\nQ.13 — reveal\nAnswer: B\nOne sign bit, four exponent bits, three mantissa.\n\n"
        "Slide 5\nQ.14\nWhich format has more range?\nA   E5M2\nB   E4M3\n\n"
        "Slide 6\nQ.14 (answer)\nAnswer: A\n"
    )
    first, second = result.bank.questions
    assert (first.id, first.kind, first.answer) == ("q13", "single", ["B"])
    assert first.prompt.get("en") == "FP8 E4M3: how many exponent bits?"
    assert first.explanation.get("en") == "One sign bit, four exponent bits, three mantissa."
    assert (second.id, second.answer) == ("q14", ["A"])
    reasons = _reasons(result)
    assert [n for n, why in reasons if why == "speaker notes"] == [8, 9, 10]
    assert (13, "the question's number again, above its answer") in reasons
    assert (12, "page furniture") in reasons  # "Slide 4"


def test_a_number_said_again_without_a_reveal_word_is_still_a_question() -> None:
    result = _parse("Q1 What is 1+1?\nAnswer: 2\n\nQ1 What is 2+2?\nAnswer: 4\n")
    assert len(result.bank.questions) == 2


def test_a_quiz_site_header_with_its_type_count_and_difficulty() -> None:
    result = parse_article(
        "单选题第 1 题 / 共 2 题 难度：简单\n\n自回归模型的预训练目标是？\n\n"
        "- A 掩码语言模型\n- B 预测下一个 token\n\n正确答案：B\n\n"
        "多选题第 2 题 / 共 2 题 难度：中等\n\n去重的好处有？\n\n"
        "- A 减少记忆\n- B 一定提升效果\n- C 提升效率\n\n正确答案：AC\n",
        name="shuati.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert (first.id, first.prompt.get("zh"), first.answer) == (
        "q1",
        "自回归模型的预训练目标是？",
        ["B"],
    )
    assert (second.id, second.kind, second.answer) == ("q2", "multiple", ["A", "C"])


def test_an_exam_paper_with_instructions_parts_and_a_key_for_graders() -> None:
    result = _parse(
        "Midterm Exam\n\n"
        "Instructions. This exam has two parts. Part A is multiple\n"
        "choice: circle ONE option. Part B asks for short written answers.\n\n"
        "PART A - MULTIPLE CHOICE (4 points each)\n\n"
        "1. How many tokens per parameter does Chinchilla suggest?\n"
        "   (a) 1\n   (b) 200\n   (c) 20\n\n"
        "2. Which are data pipeline steps? Select all that apply.\n"
        "   (a) Deduplication\n   (b) Removing all code\n   (c) Quality filtering\n\n"
        "PART B - SHORT ANSWER (8 points each)\n\n"
        "3. Why train a small model beyond the compute-optimal point?\n\n"
        "END OF EXAM - please hand in all pages\n\n"
        "ANSWER KEY (for graders)\n\n"
        "Part A\n1. (c)      2. (a), (c)\n\n"
        "Part B - model answers\n"
        "3. Inference cost grows with the parameter count, so a smaller model\n"
        "trained longer is cheaper to serve.\n"
    )
    questions = {q.id: q for q in result.bank.questions}
    assert sorted(questions) == ["q1", "q2", "q3"]
    assert questions["q1"].answer == ["C"]
    assert (questions["q2"].kind, questions["q2"].answer) == ("multiple", ["A", "C"])
    assert "cheaper to serve" in questions["q3"].reference.get("en")
    assert "PART B" not in str(questions["q2"].model_dump())
    reasons = _reasons(result)
    assert [n for n, why in reasons if why == "exam instructions"] == [3, 4]


def test_the_end_of_a_paper_and_its_parts_are_no_answer_text() -> None:
    result = parse_article(
        "一、（单选）RoPE 作用在哪里？\nA、Q 和 K\nB、V\n答：A\n\n【第二部分　长上下文工程】\n\n"
        "二、（单选）大海捞针测什么？\nA、检索能力\nB、算术\n答：A\n\n（全文完）\n\n"
        "觉得有用请点赞收藏。\n",
        name="notes.txt",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.explanation is None
    assert second.explanation is None
    assert _reasons(result) == [
        (6, "section text between questions"),
        (13, "page tail from '（全文完）' on, not the article"),
    ]


def test_end_of_question_bank_and_a_sign_off_end_the_article() -> None:
    result = _parse(
        "Q1. What is BPE?\nAnswer: byte-pair encoding\n\nEnd of question bank.\n\n"
        "Document owner: J. K. | Classification: Confidential\n"
    )
    assert result.bank.questions[0].explanation is None
    assert any("page tail" in s.reason and s.first == 4 for s in result.skipped)


def test_a_dash_between_the_number_and_a_heading_title_is_no_part_of_it() -> None:
    result = _parse("## Q1 — Causal mask\n\nWhat does it do?\n\nAnswer: hides the future\n")
    assert result.bank.questions[0].prompt.get("en") == "Causal mask\n\nWhat does it do?"


def test_a_pdf_quiz_with_a_key_in_two_rows_and_model_answers_wrapped_at_the_margin() -> None:
    filler = "".join(f"that goes on (line {n})\n" for n in range(8))
    result = _parse(
        "Quiz 3: Fine-Tuning\n"
        "1. How are A and B initialised in LoRA?\nA. Both random\nB. B with zeros\n"
        "2. Which are true of QLoRA? Select all.\nA. 4-bit NF4 base\nB. 4-bit adapters\n"
        "C. Paged optimizers\n"
        f"CS 7650 LLM — Quiz 3 (Spring 2024) 2\n{filler}"
        "3. Why scale the update by alpha/r?\n"
        "Answer key\nQuestion 1 2\nAnswer B A, C\n"
        "Model answers\n3. Scaling keeps the update's size\nindependent of the rank, so the\n"
        "learning rate needs no retuning.\n"
        "CS 7650 LLM — Quiz 3 (Spring 2024) 3\n"
    )
    questions = {q.id: q for q in result.bank.questions}
    assert questions["q1"].answer == ["B"]
    assert (questions["q2"].kind, questions["q2"].answer) == ("multiple", ["A", "C"])
    assert questions["q3"].reference.get("en") == (
        "Scaling keeps the update's size independent of the rank, so the learning rate needs "
        "no retuning."
    )
    headers = [n for n, why in _reasons(result) if why == "page header or footer"]
    assert headers == [9, 26]


def test_a_posts_plea_and_an_unbracketed_part_heading_are_no_answer_text() -> None:
    result = parse_article(
        "1. 温度调高会怎样？\nA. 更随机\nB. 更确定\n答案：A\n\n第二部分：推論加速\n\n"
        "2. KV cache 存什么？\nA. K 和 V\nB. Q\n答案：A\n\n以上，覺得有用的話點個讚吧！\n"
        "更多面经欢迎关注专栏～\n",
        name="post.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.explanation is None
    assert second.explanation is None


def test_a_key_of_ranges_and_pairs_then_two_lists_of_explanations() -> None:
    choice = "A．甲\n\nB．乙\n\nC．丙\n\n"
    result = parse_article(
        "# 一、选择题\n\n"
        + "".join(f"**{n}．**（多选）第 {n} 题？\n\n{choice}" for n in range(1, 5))
        + "# 二、简答题\n\n**5．**为什么需要位置编码？\n\n# 参考答案\n\n"
        "**选择题：1~2 BC；3 AB；4 AC**\n\n解析：\n\n1. 方差回到 1。\n\n2. 略。\n\n"
        "**简答题参考：**\n\n5. 注意力对顺序不敏感，要注入位置信息。\n",
        name="bilibili.md",
        bank_id="t",
    )
    questions = {q.id: q for q in result.bank.questions}
    assert [questions[f"q{n}"].answer for n in range(1, 5)] == [
        ["B"],
        ["C"],
        ["A", "B"],
        ["A", "C"],
    ]
    assert questions["q1"].explanation.get("zh") == "方差回到 1。"
    assert questions["q5"].reference.get("zh") == "注意力对顺序不敏感，要注入位置信息。"


def test_a_part_banner_with_a_middle_dot_is_no_answer_text() -> None:
    result = parse_article(
        "**Q1** **什么是 HyDE？**\n\n先生成假设文档再检索。\n\n**PART 02 · 评估与长上下文**\n\n"
        "**Q2** **怎么评估 RAG？**\n\n检索和生成分开评估。\n",
        name="wechat.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.reference.get("zh") == "先生成假设文档再检索。"
    assert second.reference.get("zh") == "检索和生成分开评估。"


def test_a_phone_note_with_keys_in_order_and_pairs_after_a_key_emoji() -> None:
    opts = "A. 甲\nB. 乙\nC. 丙\n\n"
    result = parse_article(
        f"1、第一题？\n{opts}2、第二题？\nA｜防止看到后面\nB｜屏蔽 padding\n\n"
        f"3、哪些对？（多选）\n{opts}4、哪些错？（多选）\n{opts}5、为什么要位置编码？\n\n"
        "——————————\n🔑答案\n单选：BA\n多选：3 AC｜4 BC\n5：注意力对顺序置换等变。\n\n"
        "做对几道？评论区告诉我～\n整理不易，点赞收藏不迷路💗\n",
        name="xhs.txt",
        bank_id="t",
    )
    questions = {q.id: q for q in result.bank.questions}
    assert [questions[f"q{n}"].answer for n in (1, 2, 3, 4)] == [
        ["B"],
        ["A"],
        ["A", "C"],
        ["B", "C"],
    ]
    assert [o.text.get("zh") for o in questions["q2"].options] == ["防止看到后面", "屏蔽 padding"]
    assert questions["q5"].reference.get("zh") == "注意力对顺序置换等变。"
    assert "评论区" not in str(result.bank.model_dump())


def test_a_bar_between_letters_in_a_sentence_is_no_option() -> None:
    result = _parse(
        "Q1. What is A|B testing?\nA|B testing compares two variants.\nAnswer: a test\n"
    )
    assert result.bank.questions[0].kind == "open"


def test_one_post_numbering_its_questions_every_which_way() -> None:
    opts = "A. 甲\nB. 乙\nC. 丙\n"
    result = parse_article(
        f"21/ 第一问？\n{opts}答案：A\n\nQ22 讲一下流程。\n参考：先描述工具，再执行。\n\n"
        f"㉓ 哪些记忆？（多选）\n{opts}答：AB\n\n[26] 哪个协议？\n{opts}👉C\n\n"
        f"NO.28 哪个更好？\n{opts}答案：B\n\n——\n下一弹预告：部署篇。\n",
        name="zsxq.txt",
        bank_id="t",
    )
    questions = {q.id: q for q in result.bank.questions}
    assert sorted(questions) == ["q21", "q22", "q23", "q26", "q28"]
    assert [questions[f"q{n}"].answer for n in (21, 23, 26, 28)] == [
        ["A"],
        ["A", "B"],
        ["C"],
        ["B"],
    ]
    assert questions["q22"].reference.get("zh") == "先描述工具，再执行。"
    assert "下一弹" not in str(result.bank.model_dump())


def test_a_reference_list_after_the_questions_is_no_question() -> None:
    result = _parse(
        "1. What is RoPE?\nAnswer: rotary position embedding\n\n"
        "2. What is ALiBi?\nAnswer: linear attention biases\n\n"
        "References\n[1] Su et al., RoFormer\n[2] Press et al., Train Short, Test Long\n"
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2"]
    assert result.bank.questions[1].explanation is None


def test_a_scanned_papers_key_runs_on_over_long_part_headings_and_spaced_entries() -> None:
    paper = (
        "1．Causal masks stop a position from seeing（　）\nA．later positions\nB．itself\n\n"
        "2．GQA shares（　）\nA．queries\nB．keys and values\n\n"
        "3．Which reduce attention cost?（　）\nA．sliding windows\nB．more heads\nC．sparsity\n\n"
        "《LLM》试卷（A卷） 第 l 页（共 2 贞）\n\n"
        "4．Why do residual connections help?\n\n"
        "参考答案及评分标准\n一、单项选择题（每小题3分，共6分。在每小题列出的备选项中只有一个符合要求）\n"
        "1．A    2．B\n二、多项选择题（每小题4分，共4分；漏选得2分，错选、多选不得分）\n3 A C\n"
        "三、简答题\n4．答题要点：gradients flow straight through the skip path.\n"
    )
    result = parse_article(paper, name="paper.txt", bank_id="t")
    assert [q.answer for q in result.bank.questions[:3]] == [["A"], ["B"], ["A", "C"]]
    assert "gradients flow" in result.bank.questions[3].reference.get("en")
    for question in result.bank.questions:
        assert "贞" not in question.prompt.get("en") + str(question.explanation)


def test_a_slide_outline_whose_titles_are_only_the_questions_numbers() -> None:
    outline = (
        "Mixture-of-Experts — Part 3\n\tSession 7\n"
        "31\n\tHow many experts' FFNs process each token in a top-2 layer?\n\t\tA. 1\n\t\tB. 2\n"
        "31 — reveal\n\tAnswer: B\n"
        "#34\n\tWhat does the capacity factor control?\n\t\tA. Experts per layer\n"
        "\t\tB. Tokens per expert\n34 — reveal\n\tAnswer: B\n"
    )
    result = parse_article(outline, name="moe.txt", bank_id="t")
    assert [(q.id, q.answer) for q in result.bank.questions] == [("q31", ["B"]), ("q34", ["B"])]


SLIDE_DECK = """量化课后练习
AI 平台部 · 内部培训资料 · 请勿外传
1

一、单项选择题
1. 对称量化中，zero point 的取值为？
A. 0
B. 1
2. W4A16 指的是？
A. 权重 4 bit，激活 16 bit
B. 权重 16 bit，激活 4 bit
AI 平台部 · 内部培训资料 · 请勿外传
2

二、多选与判断
3. SmoothQuant 的说法正确的有？
A. 把激活的量化难度迁移到权重上
B. 主要面向 W8A8
C. 需要重新训练
4. LLM.int8() 对离群值维度用 FP16 计算。（　　）
A. 对
B. 错
5. 为什么激活比权重更难量化？
AI 平台部 · 内部培训资料 · 请勿外传
3

参考答案（1/2）
• 单选：1–2　A  A
• 多选：3. AB
• 判断：4. √
• 第 3 题：SmoothQuant 是训练后的离线变换，C 错
AI 平台部 · 内部培训资料 · 请勿外传
4

参考答案（2/2）
5. 答：激活里有幅值极大的离群值，集中在少数通道上。
AI 平台部 · 内部培训资料 · 请勿外传
5
"""


def test_slides_with_a_footer_over_each_page_number_and_the_key_on_the_last_slide() -> None:
    result = _parse(SLIDE_DECK)
    keys = [(q.id, q.answer) for q in result.bank.questions]
    assert keys[:4] == [("q1", ["A"]), ("q2", ["A"]), ("q3", ["A", "B"]), ("q4", ["A"])]
    assert result.bank.questions[4].reference.get("zh").startswith("激活里有幅值极大的离群值")
    dumped = str(result.bank.model_dump())
    assert "请勿外传" not in dumped
    assert result.bank.questions[1].options[-1].text.get("zh") == "权重 16 bit，激活 4 bit"
    footers = [n for n, why in _reasons(result) if why == "page header or footer"]
    assert footers == [2, 3, 12, 13, 24, 25, 32, 33, 37, 38]


def test_a_number_above_a_repeated_line_numbers_a_question_not_a_page() -> None:
    review = "".join(
        f"{n}\n单选(2分)\n第 {n} 题的题干是什么\nA. 对的\nB. 错的\n正确答案：A\n" for n in (1, 2, 3)
    )
    result = _parse(review)
    assert [q.id for q in result.bank.questions] == ["q1", "q2", "q3"]


def test_a_midterms_solutions_with_notes_between_its_parts() -> None:
    result = _parse(
        "Part I: Multiple Choice\n\n1. Which tokenizer does GPT-2 use?\n      (A) WordPiece\n"
        "      (B) Byte-level BPE\n\n2. Perplexity of a uniform model over 8 tokens?\n"
        "      (A) 3\n      (B) 8\n\nPart II: Select All That Apply\n\n"
        "3. Which are PEFT methods?\n      (A) Full fine-tuning\n      (B) LoRA\n"
        "      (C) Prompt tuning\n\nPart III: Short Answer\n\n"
        "4. Why does greedy decoding repeat itself?\n\n"
        "                                   — End of exam —\n\n"
        "                                    SOLUTIONS\n\nPart I\n   1. (B)        2. (B)\n\n"
        "   Notes: Q2 — perplexity = exp(ln 8) = 8.\n   Q1 — WordPiece is BERT's.\n\n"
        "Part II\n   3. B, C\n\nPart III\n   4. Repeating a phrase makes it the most likely.\n"
    )
    assert [q.answer for q in result.bank.questions[:3]] == [["B"], ["B"], ["B", "C"]]
    last = result.bank.questions[3]
    assert last.reference.get("en") == "Repeating a phrase makes it the most likely."
    assert "End of exam" not in str(result.bank.model_dump())


def test_a_page_number_padded_with_a_control_character_is_still_read() -> None:
    result = _parse(SLIDE_DECK.replace("\n3\n", "\n3\x1f\n"))
    footers = [n for n, why in _reasons(result) if why == "page header or footer"]
    assert footers == [2, 3, 12, 13, 24, 25, 32, 33, 37, 38]


def test_an_exam_papers_seal_line_down_the_margin_leaves_the_questions() -> None:
    text = (
        "《大语言模型》期末试卷\n\n  ┊\n 密\n 封   一、单项选择题\n 线\n"
        " 内   1. Mixtral 每层为每个 token 选几个专家？（ ）\n"
        " 不       A. 1 个          B. 2 个\n 要       C. 4 个          D. 8 个\n 答\n 题\n"
        "  ┊    2. MoE 的辅助损失用来做什么？（ ）\n  ┊        A. 负载均衡      B. 加速\n\n"
        "参考答案：1. B  2. A\n"
    )
    questions = parse_article(text, name="exam.txt", bank_id="t").bank.questions
    assert [(q.id, q.answer) for q in questions] == [("q1", ["B"]), ("q2", ["A"])]
    assert [o.text.get("zh") for o in questions[0].options] == ["1 个", "2 个", "4 个", "8 个"]


def test_a_transcripts_slide_numbers_are_not_the_questions_numbers() -> None:
    result = _parse(
        "Quiz night, round 2\n\nTranscript\n\n1. Quiz night round 2 · Alex\n\n"
        "2. House rules: 1 point per question.\n\n"
        "3. Q11 What does greedy decoding pick? (A) A random token (B) The most probable token\n\n"
        "4. Answer Q11: (B). Beam search looks further ahead.\n\n"
        "5. Q12 Why a length penalty in beam search? (A) Log-probabilities only fall as tokens "
        "are added (B) Speed\n\n6. Answer Q12: (A).\n\n7. Thanks! Next meetup in December\n"
    )
    first, second = result.bank.questions
    assert (first.id, first.answer, second.id, second.answer) == ("q11", ["B"], "q12", ["A"])
    assert first.explanation.get("en") == "Beam search looks further ahead."
