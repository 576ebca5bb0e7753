"""Articles that give no answer line: the key opens the explanation under the options, and an
open question's only text under it is its explanation."""

from __future__ import annotations

import pytest

from llmiq.errors import LlmiqError
from llmiq.ingest import parse_article
from llmiq.ingest.answers import parse_keys, resolve_keys
from llmiq.ingest.lines import LineKind, classify
from llmiq.ingest.result import ImportResult, fold_notes


def _parse(text: str) -> ImportResult:
    return parse_article(text, name="notes.md", bank_id="t")


_OPTIONS = "A. 梯度裁剪\nB. 学习率预热\nC. 增大 batch\nD. 混合精度\n\n"


@pytest.mark.parametrize(
    ("explanation", "keys"),
    [
        ("**解析：**正确答案为 A、B 和 D。C 与稳定性无关。", ["A", "B", "D"]),
        ("**解析：**应选 A、C、D。B 反而有害。", ["A", "C", "D"]),
        ("解析：B 和 D 正确。A 错在总计算量不变。", ["B", "D"]),
        ("**解析：**B、C、D 都是常用手段，A（梯度裁剪）另有用途。", ["B", "C", "D"]),
        ("Explanation: The correct answer is B. Warmup keeps Adam stable.", ["B"]),
        ("讲解：前三个都是常用手段，D 只省显存。", ["A", "B", "C"]),
        ("讲解：后两项都对，前两个另有用途。", ["C", "D"]),
        ("讲解：前三个都对～激活值不归 ZeRO 管。", ["A", "B", "C"]),
        ("讲解：只有 D 不对，micro-batch 越少 bubble 越大。", ["A", "B", "C"]),
        ("Explanation: The first two are correct; (c) changes nothing.", ["A", "B"]),
        ("讲解：除了 C，其他三个都算。", ["A", "B", "D"]),
        ("点评：只有 B 说到点子上。", ["B"]),
        ("老师讲评：(a)(b)(d) 都对。(c) 是 ZeRO-3 才会做的。", ["A", "B", "D"]),
        ("老师讲评：只有 (b) 对。(a) 是 ZeRO-1。", ["B"]),
        ("老师讲评：除了 (c) 都对。按列切之后不需要通信。", ["A", "B", "D"]),
        ("老师讲评：四个都对，这题全选。", ["A", "B", "C", "D"]),
        ("老师讲评：(a)、(b) 没问题，(d) 也对（差不多多 33%），(c) 正好说反了。", ["A", "B", "D"]),
        ("讲解：A、B、D 三个都行，C 反而会让输出更发散。", ["A", "B", "D"]),
        ("讲解：B，没什么好说的。", ["B"]),
        ("讲解：前两个和最后一个。C 不对。", ["A", "B", "D"]),
        ("Explanation: The first two and the last one are correct.", ["A", "B", "D"]),
        ("讲解：这题 A B 两项都对，预热和裁剪都管稳定。", ["A", "B"]),
        ("讲解：B、C、D 三项都应该做，A 另有用途。", ["B", "C", "D"]),
        ("讲解：A、B、D 这三种我们训练中都见过，C 当然不算。", ["A", "B", "D"]),
        ("讲解：a、b、d 正确，c 错误。", ["A", "B", "D"]),
        ("讲解：看训练曲线，选 D！省显存也省时间。", ["D"]),
        ("讲解：AB —— C、D 跟稳定没关系。", ["A", "B"]),
        ("Explanation: Both (a) and (b) are correct, and so is (d). (c) is not.", ["A", "B", "D"]),
        ("**解析**：四个都是，实际训练基本都会用到。", ["A", "B", "C", "D"]),
    ],
)
def test_the_key_opening_the_explanation_answers_and_is_noted(
    explanation: str, keys: list[str]
) -> None:
    result = _parse(f"### 1. 哪些做法有助于训练稳定？\n\n{_OPTIONS}{explanation}\n")
    question = result.bank.questions[0]
    assert question.answer == keys
    assert fold_notes(result.notes) == [
        f"lines 1-6: question 1: answer read as {', '.join(keys)} from the explanation; check it"
    ]


@pytest.mark.parametrize(
    "explanation",
    [
        "**解析：**A 错在总计算量不变，B 才对。",  # names a wrong option first
        "**解析：**A、B 都是错误的说法。",
        "**解析：**这几项各有用途，要看场景。",
        "讲解：前三个都是错误的说法。",
        "讲解：前五个都是手段。",  # there are only four
        "讲解：B、C、D 都是干扰项。",
        "讲解：如果选 A，会怎样？",
    ],
)
def test_an_explanation_opening_otherwise_gives_no_answer(explanation: str) -> None:
    text = f"### 1. 哪些做法有助于训练稳定？\n\n{_OPTIONS}{explanation}\n\n### 2. 二？\n答案：略\n"
    result = _parse(text)
    assert [q.id for q in result.bank.questions] == ["q2"]
    assert result.skipped[0].reason == "question without an answer line, not imported"


def test_an_open_question_with_only_an_explanation_takes_it_as_its_answer() -> None:
    result = _parse(
        "### 1. 什么是 3D 并行？\n\n**解析：**数据并行、张量并行和流水线并行组合使用。\n\n"
        "张量并行放在节点内。\n\n### 2. ZeRO-2 分片什么？\n\n答案：优化器状态和梯度\n"
    )
    first = result.bank.questions[0]
    assert first.kind == "open"
    assert first.reference.get("zh") == (
        "数据并行、张量并行和流水线并行组合使用。\n\n张量并行放在节点内。"
    )
    assert first.explanation is None


def test_keys_that_are_all_correct_in_a_sentence_answer_the_question() -> None:
    result = _parse(
        "**Q7.** Which split the model across devices?\n\na) data parallelism\n"
        "b) tensor parallelism\nc) pipeline parallelism\n\n"
        "b and c are all correct; data parallelism copies the whole model.\n\n"
        "**Q8.** Last one?\n\nAnswer: yes\n\n"
        "Didn't get to the system design part in time. Good luck everyone!\n"
    )
    q7, q8 = result.bank.questions
    assert (q7.kind, q7.answer) == ("multiple", ["B", "C"])
    assert q8.explanation is None
    assert q7.prompt.get("en") == "Which split the model across devices?"


def test_a_bold_label_ending_in_a_full_stop_labels_the_answer() -> None:
    result = _parse(
        "### Q1. Why RMSNorm?\n\n**Answer.** It drops the mean, which is cheaper.\n\n"
        "### Q2. Which is a PEFT method?\n\nA. LoRA\nB. AdamW\n\n**Answer.** A\n"
    )
    q1, q2 = result.bank.questions
    assert q1.reference.get("en") == "It drops the mean, which is cheaper."
    assert q2.answer == ["A"]


def test_an_interview_report_with_a_quiz_in_prose_and_bulleted_questions() -> None:
    result = _parse(
        "## 一、笔试\n\n**1. 哪些属于 PEFT？**\n\nA. LoRA B. Adapter C. 全参数微调\n\n"
        "A、B 都属于 PEFT，C 显然不是。\n\n"
        "**2. 关于 LoRA，正确的是？**\n\nA. 可合并\nB. r 越大越好\nC. 原权重冻结\n\n"
        "我当时选了 A，后来查了论文，所以这题应该是 AC 两个；B 不对。\n\n"
        "**3. LIMA 的结论是？**\n\nA. 要百万数据\nB. 千条高质量数据即可\n\n"
        "这个简单，B。知识来自预训练。\n\n"
        "**4. DPO 的优点？**\n\nA. 不要奖励模型\nB. 一定优于 PPO\nC. 更稳定\n\n"
        "A、C 正确；B 太绝对。\n\n"
        "## 二、一面\n\n- **LoRA 为什么有效？**\n\n我答的：更新量是低秩的。\n\n"
        "- **写一下 DPO 的损失函数。**\n\n我答的（简化版）：\n\n−log σ(β·差值)\n\n"
        "- **反问环节**：问了业务。\n\n内推码：ABC123\n"
    )
    questions = {q.id: q for q in result.bank.questions}
    assert sorted(questions) == ["q1", "q2", "q3", "q4", "q5", "q6"]
    assert [questions[f"q{n}"].answer for n in range(1, 5)] == [
        ["A", "B"],
        ["A", "C"],
        ["B"],
        ["A", "C"],
    ]
    assert questions["q5"].prompt.get("zh") == "LoRA 为什么有效？"
    assert questions["q5"].reference.get("zh") == "更新量是低秩的。"
    assert questions["q6"].prompt.get("zh") == "写一下 DPO 的损失函数。"
    assert questions["q6"].reference.get("zh") == "−log σ(β·差值)"
    assert "内推码" not in str(result.bank.model_dump())


@pytest.mark.parametrize(
    ("answer", "keys", "explanation"),
    [
        ("Everything except (d). Tying saves parameters.", ["A", "B", "C"],
         "Tying saves parameters."),
        ("Only (a) is false, so (b), (c) and (d). Rows like any other.", ["B", "C", "D"],
         "Rows like any other."),
        ("Cosine — (a). Trained with a cosine objective.", ["A"],
         "Trained with a cosine objective."),
        ("Everything but the last one. No reward model.", ["A", "B", "C"], "No reward model."),
        ("The first three. No reward model.", ["A", "B", "C"], "No reward model."),
        ("The last two options. No reward model.", ["C", "D"], "No reward model."),
        ("The first three are all standard. D runs you out of context.", ["A", "B", "C"],
         "D runs you out of context."),
        ("Only the first and the last. No reward model.", ["A", "D"], "No reward model."),
    ],
)  # fmt: skip
def test_answers_that_name_keys_by_exclusion_or_after_a_dash(
    answer: str, keys: list[str], explanation: str
) -> None:
    result = _parse(
        f"Q3\nWhich are true?\n(a) one\n(b) two\n(c) three\n(d) four\nAnswer\n{answer}\n"
    )
    question = result.bank.questions[0]
    assert question.answer == keys
    assert question.explanation.get("en") == explanation
    assert "check it" in str(result.notes[0])


@pytest.mark.parametrize(
    ("line", "keys"),
    [
        ("💡 B is correct.", ["B"]),
        ("**Verdict:** A, B and D. Lowering k loses chunks.", ["A", "B", "D"]),
        ("Correct response: C", ["C"]),
        ("Answer: Both a and c. b and d describe a temperature above 1.", ["A", "C"]),
        ("> **✔ Right option:** B", ["B"]),
        ("→ The right one is **D**.", ["D"]),
        ("💡 It's C: 70 × 0.5 bytes.", ["C"]),
        ("✅ **C** — the implicit reward is β·log(π/π_ref).", ["C"]),
        ("✓ A · ✓ B · ✓ C · ✗ D", ["A", "B", "C"]),
        ("Answer ▸ A, C, D", ["A", "C", "D"]),
        ("讲解：选 B，没有悬念。", ["B"]),
        ("答案：除了 C，其他三个都算。", ["A", "B", "D"]),
        ("除了 C（gRPC）都是。stdio 用于本地子进程。", ["A", "B", "D"]),
        ("Answer: The correct answer is 'y'.", ["C"]),
        ("Answer: The correct answer is: z", ["D"]),
        ("*Answer:* a, b and d. Not c: no human pairs.", ["A", "B", "D"]),
        ("_Answer_: (b)", ["B"]),
        ("*答案：* B", ["B"]),
        ("**Answer 答案：** A, B", ["A", "B"]),
        ("**Answer:** Both A and B work, and so does C.", ["A", "B", "C"]),
        ("Answer: A and C, D as well.", ["A", "C", "D"]),
        ("**Answer:** (b) The experts plus a router sending each token on.", ["B"]),
        ("**Answer:** (a) and (c), plus d. b is a trap.", ["A", "C", "D"]),
        ("答：暴露的是工具、资源和提示这三类，也就是 A、C、D。B 是干扰项。", ["A", "C", "D"]),
        ("Answer: the ones about memory, that is C and D.", ["C", "D"]),
        ("答：我选的 A、B 和 D，C 太绝对了。", ["A", "B", "D"]),
        ("答案 B 👌 每个专家本质上就是一个 FFN", ["B"]),
        ("答案 / Answer: D", ["D"]),
        ("> 讨论结论：只有 B 说对了。容量因子调大可以少丢 token。", ["B"]),
        ("> 讨论结论：前两个对，后两个是干扰项。", ["A", "B"]),
        ("讨论结论：四个里面 C 是错的，其他三个都成立。", ["A", "B", "D"]),
    ],
)
def test_more_ways_an_author_gives_the_key(line: str, keys: list[str]) -> None:
    result = _parse(f"## Question 1\n\nWhich?\n\nA. w\nB. x\nC. y\nD. z\n\n{line}\n")
    assert result.bank.questions[0].answer == keys


def test_a_shared_documents_changelog_and_comments_end_it() -> None:
    result = _parse(
        "1. Why does greedy decoding loop?\nAnswer: repeating makes repeating likelier.\n\n"
        "Changelog\n* draft 2: removed a question\n\n[a]Tom: mention top-k?\n"
    )
    question = result.bank.questions[0]
    assert question.reference.get("en") == "repeating makes repeating likelier."
    assert question.explanation is None


def test_its_a_in_a_sentence_is_no_key_and_a_strong_answer_answers() -> None:
    result = _parse(
        "## Q7 · KV-cache quantization\n\nWhat is KV-cache quantization?\n\n"
        "What a strong answer covers:\n\n- int8 keys and values\n\n"
        "## Bonus\n\nHow much memory do 70B weights take at 4 bits?\n\nA. ~35 GB\nB. ~70 GB\n\n"
        "💡 It's A: 70 × 0.5 bytes.\n\nIt's A trade-off, as always.\n"
    )
    first, second = result.bank.questions
    assert first.reference.get("en") == "- int8 keys and values"
    assert second.answer == ["A"]
    unkeyed = _parse(
        "1. Which?\nA. x\nB. y\n\nIt's B.\n\n2. And this?\nA. u\nB. v\n\nIt's A trade-off.\n"
    )
    assert [q.id for q in unkeyed.bank.questions] == ["q1"]  # "It's A trade-off" names no key


def test_a_check_mark_before_a_bold_key_is_an_answer_line() -> None:
    line = classify(1, "✅ **C** — the implicit reward is β·log(π/π_ref).")
    assert (line.kind, line.answer_value) == (
        LineKind.ANSWER,
        "C** — the implicit reward is β·log(π/π_ref).",
    )


def test_lower_case_keys_followed_by_a_remark_in_brackets() -> None:
    assert parse_keys("a, b, d (BLEU says nothing)") == (["A", "B", "D"], "(BLEU says nothing)")


def test_keys_listed_with_a_serial_comma() -> None:
    assert parse_keys("A, B, and D") == (["A", "B", "D"], "")


def test_my_answer_with_a_remark_before_its_colon_labels_the_answer() -> None:
    result = _parse(
        "### 5. How would you index ten years of SEC filings?\n\n"
        "**My answer, cleaned up:** chunk by section and filter on metadata.\n\n"
        "### 6. Where do you look first when p95 latency is 9 s?\n\n"
        "**My answer:** trace the spans.\n"
    )
    assert [q.reference.en for q in result.bank.questions] == [
        "chunk by section and filter on metadata.",
        "trace the spans.",
    ]


def test_a_clause_that_calls_an_option_wrong_does_not_name_it_the_answer() -> None:
    result = _parse(
        "## Question 1\n\nWhich?\n\nA. w\nB. x\nC. y\nD. z\n\n讨论结论：这题 C 不对。\n\n"
        "## Question 2\n\nWhy?\n\nAnswer: because.\n"
    )
    assert [q.id for q in result.bank.questions] == ["q2"]
    assert "names no option" in str(result.skipped[0].reason)


def test_the_first_two_called_wrong_are_not_the_answer() -> None:
    result = _parse(
        "Q3\nWhich are true?\n(a) one\n(b) two\n(c) three\n(d) four\nAnswer\n"
        "The first two are wrong.\n\nQ4\nWhy?\nAnswer: because.\n"
    )
    assert [q.id for q in result.bank.questions] == ["q4"]


def test_keys_listed_to_end_a_sentence_and_the_takers_own_picks() -> None:
    options = "(A) position\n(B) verbosity\n(C) self-preference\n(D) tokenizer\n"
    result = parse_article(
        f"1. Which are judge biases?\n{options}I went with A, B and C. D isn't a thing.\n\n"
        f"2. Which are true?\n{options}A, B, D. C is wrong, they differ.\n\n"
        f"3. Which help?\n{options}A, C and D — B is how you get it.\n\n"
        f"4. 哪些做法能减轻偏差？\n{options}前三个都行，D 反而会放大偏差。\n\n"
        f"5. 关于 pass@k，正确的是\n{options}我选的 ABD，对答案也是这个。C 不对。\n\n"
        f"6. Which are real?\n{options}A, C both work here, B does not.\n",
        name="reddit.txt",
        bank_id="t",
    )
    assert "q6" not in [q.id for q in result.bank.questions]  # never "A" alone
    assert [q.answer for q in result.bank.questions] == [
        ["A", "B", "C"],
        ["A", "B", "D"],
        ["A", "C", "D"],
        ["A", "B", "C"],
        ["A", "B", "D"],
    ]


@pytest.mark.parametrize("label", ["What I'm listening for:", "**What we look for**"])
def test_an_interviewers_rubric_label_over_an_open_answer(label: str) -> None:
    result = _parse(
        "### 9. Building the SFT set\n\nHow would you build an SFT set for IT?\n\n"
        f"{label}\n\n- Start from real tickets.\n- Quality over quantity.\n\n"
        "### 10. Longer, not better\n\nWhy might DPO make answers longer?\n\n"
        f"{label}\n\n- Chosen answers are longer on average.\n"
    )
    first, second = result.bank.questions
    assert first.prompt.en == "Building the SFT set\n\nHow would you build an SFT set for IT?"
    assert first.reference.en == "- Start from real tickets.\n- Quality over quantity."
    assert second.reference.en == "- Chosen answers are longer on average."


def test_a_posters_picks_under_options_typed_on_the_question_line() -> None:
    result = parse_article(
        "1. Which raise decode throughput? (a) continuous batching (b) prefix caching "
        "(c) max_num_seqs=1 (d) CUDA graphs\n\nI put a, b, d. c obviously kills batching.\n\n"
        "2. What does prefix caching reuse? A) output tokens | B) KV cache blocks | C) weights\n\n"
        "B\n\n"
        "3. Decode is memory-bound. Double the batch and per-token latency roughly...\n"
        "doubles\nstays about the same\nhalves\n\n"
        "My answer: stays about the same (the weights are read once per step either way)\n\n"
        "4. Which is sparse? (a) BM25 (b) a bi-encoder\n\nI put a lot of thought into this.\n",
        name="reddit.txt",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q1", ["A", "B", "D"]),
        ("q2", ["B"]),
        ("q3", ["B"]),
    ]
    assert [o.text.en for o in result.bank.questions[1].options] == [
        "output tokens",
        "KV cache blocks",
        "weights",
    ]


def test_an_open_answers_approach_then_its_points_and_a_worksheets_last_line() -> None:
    result = parse_article(
        "8．线上 RAG 答非所问，你会怎样排查？\n答题思路：先分环节定位，不要一上来就换模型。\n"
        "① 看检索：相关片段有没有被召回。\n② 看排序：可以加一层重排模型。\n\n"
        "9．线上 RAG 效果突然变差了，你会怎么排查？\n\n我的思路：先看检索，再看生成。\n\n"
        "—— 第 3 周练习到此结束 ——\n\n下周直播：第 4 周《Agent 与工具调用》\n",
        name="worksheet.txt",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert "加一层重排模型" in first.reference.zh
    assert second.reference.zh == "先看检索，再看生成。"
    assert "直播" not in str(result.bank.model_dump())


def test_a_short_open_answer_then_a_term_defined_on_each_line_below_it() -> None:
    result = parse_article(
        "25. 用 PPO 做 RLHF 时要加载哪几个模型？\n参考答案：一共四个。\n"
        "Actor（策略模型）：要训练的模型；\nCritic（价值模型）：估计状态价值；\n"
        "Reward Model（奖励模型）：给回复打分；\nReference Model（参考模型）：算 KL 惩罚。\n\n"
        "26. DPO 需要奖励模型吗？\n答案：不需要。\n解析：奖励是隐式的。\n",
        name="infoq.txt",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.reference.zh.startswith("一共四个。\nActor（策略模型）：要训练的模型；")
    assert first.reference.zh.endswith("Reference Model（参考模型）：算 KL 惩罚。")
    assert (second.reference.zh, second.explanation.zh) == ("不需要。", "奖励是隐式的。")


def test_an_open_answer_that_opens_with_a_remark_in_brackets_goes_on_below_it() -> None:
    result = parse_article(
        "10. P99 延迟突然升高，怎么排查？\n\n答：（当时答得有点乱，下面是整理的）\n\n"
        "1. 先拆分延迟：排队还是 TTFT；\n2. 看 KV Cache 利用率。\n\n"
        "11. DPO 需要奖励模型吗？\n\n答：不需要。\n",
        name="csdn.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.reference.zh.endswith("1. 先拆分延迟：排队还是 TTFT；\n2. 看 KV Cache 利用率。")
    assert first.explanation is None
    assert second.reference.zh == "不需要。"


_TOP_P = (
    "1. 关于 top-p 采样，下面哪些说法正确？（多选）\nA. 累积概率达到 p 的最小集合\n"
    "B. 候选集合大小会变化\nC. p = 1 时不做截断\nD. 候选集合大小固定\n"
)


def test_an_explanation_judging_every_option_in_turn_gives_the_key() -> None:
    result = parse_article(
        _TOP_P + "A、B 没问题，C 也对；D 说的是 top-k 的特点，不是 top-p。\n",
        name="zhihu.txt",
        bank_id="t",
    )
    assert result.bank.questions[0].answer == ["A", "B", "C"]
    assert result.notes  # read from prose: noted


def test_an_explanation_leaving_an_option_unjudged_gives_no_key() -> None:
    with pytest.raises(LlmiqError):  # "D 就是……" judges nothing: no partial key A, B
        parse_article(
            _TOP_P + "A 和 B 没问题，D 就是标准做法。C 不现实。\n", name="zhihu.txt", bank_id="t"
        )


@pytest.mark.parametrize(
    ("said", "keys"),
    [
        ("四个里面只有 D 是瞎扯的。", ["A", "B", "C"]),
        ("这题我的答案是 A B C，D 看起来很像但它是 top-k。", ["A", "B", "C"]),
        ("> 前三个都对，D 是瞎编的干扰项。", ["A", "B", "C"]),  # in a block quote
        ("> 考场上犹豫了一下 B，后来翻了论文。D 明显不对。所以这题答案应该是 A 和 C。", ["A", "C"]),
        ("> 正确的是 A、B 跟 C。D 只是截断采样。", ["A", "B", "C"]),
        ("我选了 A 和 C。面试官说 D 也对，B 是错的。最后正确的是 A、B、C。", ["A", "B", "C"]),
        ("这题我只选了 A。面试官说 B 和 C 也是，只有 D 没关系。", ["A", "B", "C"]),
        ("我答的 ABCD，被纠正了：D 肯定不对，其余三个都对。", ["A", "B", "C"]),
        ("我考试时选的 B，交卷后查了一下应该是 A：B 只是截断采样。", ["A"]),
        ("这个简单，选 B，每个 token 只去一个专家，省通信也省计算。", ["B"]),
        ("容量 = 1.0 × 2048 × 2 / 8 = 512，答案 C。", ["C"]),
        ("A B C，D 跟这个没关系。", ["A", "B", "C"]),
    ],
)
def test_a_key_said_in_a_sentence_under_the_options(said: str, keys: list[str]) -> None:
    result = parse_article(_TOP_P + said + "\n", name="zhihu.txt", bank_id="t")
    assert result.bank.questions[0].answer == keys


_JAILBREAK = (
    "1. What is true of many-shot jailbreaking? (select all)\nA. It fills long contexts\n"
    "B. It needs the weights\nC. It weakens with more shots\nD. It follows a power law\n\n"
)


@pytest.mark.parametrize(
    ("said", "keys"),
    [
        ("Both A and D. It is a black-box attack.", ["A", "D"]),
        ("I'd take A, C and D. B is how incidents happen.", ["A", "C", "D"]),
        ("**Answer:** Only B is a bad idea; the rest all help.", ["A", "C", "D"]),
        ("**Answer:** The first two, plus (d). (c) is a trap.", ["A", "B", "D"]),
    ],
)
def test_keys_picked_in_an_english_sentence_under_the_options(said: str, keys: list[str]) -> None:
    result = parse_article(_JAILBREAK + said + "\n", name="hashnode.md", bank_id="t")
    assert result.bank.questions[0].answer == keys


def test_a_key_in_a_box_behind_a_think_first_summary_and_a_key_said_to_be_the_one() -> None:
    result = parse_article(
        "### Q2. Why add BM25 next to dense search?\n\n**A.** Synonyms\n**B.** Storage\n"
        "**C.** Exact terms\n\n<details>\n<summary>🤔 Think first, then click</summary>\n\n"
        "C. Try embedding ERR_4471 and look at how close they land.\n\n</details>\n\n"
        "### Q3. Where does a reranker sit?\n\n**A.** After retrieval\n**B.** Before chunking\n\n"
        "🟢 **A** is the one.\n\nA cross-encoder reads the query and a document together.\n",
        name="devto.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["C"], ["A"]]
    assert "Think first" not in str(result.bank.model_dump())


def test_an_explanation_naming_the_wrong_option_then_the_rest_as_right() -> None:
    result = parse_article(
        _TOP_P + "这题 D 是错的，说的是 top-k 的特点，剩下三个都对。\n",
        name="maimai.txt",
        bank_id="t",
    )
    assert result.bank.questions[0].answer == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("said", "keys"),
    [
        ("我选的 A、B、C，D 纯属干扰项。", ["A", "B", "C"]),
        ("AB 是定义没问题，C 也对；D 太绝对了。", ["A", "B", "C"]),
    ],
)
def test_keys_listed_with_enumeration_commas_or_run_together_in_a_judgement(
    said: str, keys: list[str]
) -> None:
    result = parse_article(_TOP_P + said + "\n", name="maimai.txt", bank_id="t")
    assert result.bank.questions[0].answer == keys


def test_a_count_that_is_not_the_number_of_options_chooses_no_all() -> None:
    options = [("A", "梯度裁剪"), ("B", "学习率预热"), ("C", "增大 batch"), ("D", "混合精度")]
    assert resolve_keys("四个都是", options).keys == ["A", "B", "C", "D"]
    assert resolve_keys("三个都是", options) is None


def test_a_pick_struck_through_and_corrected_in_bold_is_not_a_key() -> None:
    result = _parse(
        "### 7、GRPO 去掉了哪个模型？\n\nA. 参考模型\nB. 奖励模型\nC. Critic\n\n"
        "我第一次选了 ~~A~~，正解是 **C**。GRPO 用组内奖励的均值做基线。\n"
    )
    assert result.bank.questions[0].answer == ["C"]


def test_a_bold_key_opening_the_text_under_the_options() -> None:
    result = _parse(
        "**5. Why can DPO skip a reward model?**\n\n(A) The reward is implied by the policy\n"
        "(B) Preference data holds numeric rewards\n\n"
        "**A**, the 'your language model is secretly a reward model' trick.\n"
    )
    assert result.bank.questions[0].answer == ["A"]


def test_an_interviewers_rubric_labels_expected_answers() -> None:
    result = _parse(
        "### 1. Which parameters does LoRA train?\n\nA. All weights\nB. The low-rank A and B\n\n"
        '> 🟢 **Expected:** B. W₀ stays frozen.\n> 🔴 **Red flag:** "all of them".\n\n'
        "### 2. When would you pick full fine-tuning?\n\n"
        "> 🟢 **What we want to hear:**\n> - A big behaviour shift, where low rank underfits.\n"
    )
    first, second = result.bank.questions
    assert (first.answer, second.kind) == (["B"], "open")
    assert second.reference.get("en") == "- A big behaviour shift, where low rank underfits."


_RLHF_OPTIONS = [
    ("A", "PPO"),
    ("B", "Standard DPO on a fixed preference dataset"),
    ("C", "GRPO"),
    ("D", "Online DPO"),
    ("E", "A separate tokenizer model"),
]


@pytest.mark.parametrize(
    ("value", "keys"),
    [
        ("All four of (a)–(d). (e) isn't a thing.", ["A", "B", "C", "D"]),
        ("PPO, GRPO and online DPO — so (a), (c) and (d). DPO is offline.", ["A", "C", "D"]),
        ("All of them.", ["A", "B", "C", "D", "E"]),
    ],
)
def test_keys_given_as_a_span_or_concluded_after_the_options_texts(
    value: str, keys: list[str]
) -> None:
    resolved = resolve_keys(value, _RLHF_OPTIONS)
    assert resolved is not None
    assert resolved.keys == keys


def test_all_four_under_five_options_names_no_key() -> None:
    assert resolve_keys("All four.", _RLHF_OPTIONS) is None
