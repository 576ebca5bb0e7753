"""Interviews written down as their turns: the interviewer's questions, the candidate's
answers."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.interview_turns import rewrite_interview_turns


def test_an_on_site_written_down_turn_by_turn() -> None:
    result = parse_article(
        "# My inference on-site\n\nThree rounds, no LeetCode.\n\n## Round 1\n\n"
        "**Interviewer:** Why do we cache keys and values but not queries?\n\n"
        "**Me:** Only the new token's query is needed; old keys and values are read again.\n\n"
        "**Interviewer:** At batch size 1, which is memory-bound: (a) prefill, (b) decode?\n\n"
        "**Me:** (b), decode.\n\n*Hindsight: I should have said why.*\n",
        name="bearblog.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.prompt.get("en") == "Why do we cache keys and values but not queries?"
    assert first.reference.get("en").startswith("Only the new token's query is needed")
    assert (second.kind, second.answer) == ("single", ["B"])
    assert "LeetCode" not in str(result.bank.model_dump())


def test_a_mianjing_with_follow_up_questions() -> None:
    result = parse_article(
        "一面先聊项目，然后八股：\n\n**面试官：**LoRA 的 B 矩阵为什么初始化为 0？\n\n"
        "**我：**这样训练开始时 ΔW = 0，输出和原模型一致。\n\n"
        "**面试官追问：**那 alpha 和 r 是什么关系？\n\n**我：**缩放系数是 alpha/r。\n",
        name="nowcoder.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.reference.get("zh") == "这样训练开始时 ΔW = 0，输出和原模型一致。"
    assert (second.prompt.get("zh"), second.reference.get("zh")) == (
        "那 alpha 和 r 是什么关系？",
        "缩放系数是 alpha/r。",
    )


def test_a_single_exchange_or_a_monologue_is_left_as_written() -> None:
    once = ["**Interviewer:** Why?", "**Me:** Because."]
    assert rewrite_interview_turns(once) == once
    unanswered = ["Interviewer: A?", "Interviewer: B?", "Interviewer: C?", "Me: C.", "Me: D."]
    assert rewrite_interview_turns(unanswered) == unanswered


def test_an_interview_written_in_traditional_chinese() -> None:
    result = parse_article(
        "**面試官：**為什麼只存 K 和 V？\n\n**我：**歷史 token 的 Q 不會再用到。\n\n"
        "**面試官：**batch 為 1 時哪個是 memory-bound：(a) prefill (b) decode？\n\n**我：**(b)。\n",
        name="interview.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.prompt.get("zh") == "為什麼只存 K 和 V？"
    assert second.answer == ["B"]


MOCK_INTERVIEW = """模拟面试实录｜RLHF

对话里“我”是面试官，“小林”是候选人。

Q1（多选）关于 DPO，下列说法正确的是：
A. 不需要显式的奖励模型
B. 需要在线采样
C. 需要冻结的参考模型
D. β 越大越贴近参考模型

小林：A 和 C。
我：D 也是对的。B 不对，标准 DPO 是离线的。所以这题是 A、C 加上 D。

Q2（多选）以下哪些可能说明出现了 reward hacking？
A. 奖励一直涨但人工评估不涨
B. 回复越来越长
C. KL 快速增大
D. loss 平稳下降

小林：A 和 B。
我：除了 D，剩下三个都对。

Q3 PPO 和 DPO 你会怎么选？

小林的回答：资源少就用 DPO。
【参考回答】DPO 离线、稳定、省资源；PPO 在线采样，上限更高但工程复杂。
"""


def test_a_mock_interview_takes_the_interviewers_verdict_not_the_candidates_pick() -> None:
    result = parse_article(MOCK_INTERVIEW, name="wechat.txt", bank_id="t")
    first, second, third = result.bank.questions
    assert [q.id for q in result.bank.questions] == ["q1", "q2", "q3"]
    assert (first.answer, second.answer) == (["A", "C", "D"], ["A", "B", "C"])
    assert third.reference.get("zh").startswith("DPO 离线、稳定、省资源")
    assert "资源少就用 DPO" not in str(result.bank.model_dump())


HASHNODE_MOCK = """---
title: "Mock interview: RLHF quick-fire round"
slug: mock-interview-rlhf
tags: interview, rlhf
---

**Q1. Which does DPO need at training time?**

(a) A separately trained reward model
(b) The reference model's log-probabilities
(c) Preference pairs

**Dana:** "A reward model, and the pairs."

**Me:** Right: (b) and (c). No reward model needed.

**Q2. Which can run without pairwise preference data?**

(a) KTO
(b) GRPO with a verifiable reward
(c) DPO

**Dana:** "KTO and GRPO."

**Me:** All except DPO.

**Q3. Why can the chosen responses' log-probability go down in DPO?**

**Dana:** "The loss only cares about the margin, so both can fall."

**Me:** That's the answer I want. Bonus for an SFT term on the chosen responses.
"""


def test_a_mock_interview_under_front_matter_keeps_the_candidates_open_answers() -> None:
    """Front matter's "title:" and "slug:" are no speakers; under an open question the
    candidate's answer is the reference, with the interviewer's word on it."""
    result = parse_article(HASHNODE_MOCK, name="hashnode.md", bank_id="t")
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["B", "C"], ["A", "B"])
    assert third.reference.en.startswith('"The loss only cares about the margin')
    assert third.reference.en.endswith("Bonus for an SFT term on the chosen responses.")


def test_a_question_and_answer_pair_after_an_unanswered_choice_question() -> None:
    """A write-up recalls quiz questions, says their keys in prose, then tells its interview
    rounds as "问：" / "答：" pairs: the first pair's answer is its own question's, not the
    quiz question's above it. A numbered title right over "Q:" still asks with it."""
    result = parse_article(
        "5.（单选）YaRN 的改进是\nA. 分段插值\nB. 去掉 RoPE\n\n选 A。PI 是线性压缩。\n\n"
        "6.（单选）RoPE base 调大的作用是\nA. 降低旋转频率\nB. 减少参数\n\nA，没什么好说的。\n\n"
        "7.（多选）关于大海捞针测试，下列说法正确的是\nA. 在不同深度插入事实\n"
        "B. 全部通过也不代表推理强\nC. RULER 增加了多跳追踪\nD. 只能测英文模型\n\n"
        "我当时只选了 A 和 B，漏了 C，所以答案应该是 ABC。\n\n=== VO ===\n\n第一轮：ML 基础\n\n"
        "问：MoE 为什么需要负载均衡 loss？\n答：不加容易路由坍缩。\n",
        name="1point3acres.txt",
        bank_id="t",
    )
    *_, quiz, pair = result.bank.questions
    assert quiz.answer == ["A", "B", "C"]
    assert pair.prompt.zh == "MoE 为什么需要负载均衡 loss？"
    assert pair.reference.zh == "不加容易路由坍缩。"
    card = parse_article(
        "### 4. Load balancing\n\n**Q:** Why is the auxiliary loss needed?\n\n"
        "**A:** Without it, routing collapses.\n",
        name="dendron.md",
        bank_id="t",
    )
    assert card.bank.questions[0].id == "q4"


def test_the_judges_assent_before_the_keys_he_gives() -> None:
    """A study group's transcript: the candidate answers, then the interviewer's "对，前三个。"
    or "完美，ABD。" says the key after a word of assent."""
    question = (
        "{n}. 关于 MoE，下面哪些说法对？\n"
        "A. 激活 2 个专家\nB. 总参数约 47B\nC. 需要负载均衡\nD. 只放激活的专家\n"
    )
    result = parse_article(
        question.format(n=1)
        + "小周：A、B 对，D 不对。\n阿杰：对，前三个。补充一句，V3 的 bias 只用来选专家。\n\n"
        + question.format(n=2)
        + "小周：A 和 B。\n阿杰：完美，ABD。总参数不是 56B。\n",
        name="feishu.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["A", "B", "C"], ["A", "B", "D"]]
