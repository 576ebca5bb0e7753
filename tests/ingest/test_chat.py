"""Group chats exported as text: the member who posts the questions is the article."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.chat import rewrite_chat

PC_WECHAT = """大模型面试互助群的聊天记录

2024-05-27 08:30:12 老周（群主）
【每日一题】第57题（单选）
以下哪种做法最直接地降低幻觉？
A. 提高 temperature
B. 检索增强并引用来源

2024-05-27 08:41:55 阿杰-北邮
我选 A，温度高一点多样性好

2024-05-27 09:10:37 老周（群主）
[图片]

2024-05-27 21:00:04 老周（群主）
57题答案：B
解析：给它可靠的外部证据。

2024-05-28 08:30:45 老周（群主）
【每日一题·第五十八题】（多选）
以下哪些属于提示注入？
A. 忽略以上所有指令
B. 网页里藏着给 Agent 的指令
C. 问今天的天气

2024-05-28 08:52:19 Ken
ABD

2024-05-28 21:02:11 老周（群主）
58题答案：AB，C 只是普通的提问

2024-05-29 08:30:09 老周（群主）
今日一题 No.59（单选）
哪类风险是复述训练数据里的隐私？
A. 训练数据提取
B. 后门攻击

2024-05-29 21:00:31 老周（群主）
59题答案：A
"""

FORWARDED = """群聊的聊天记录

—————  2024-06-18  —————

阿杰  21:02
今晚练 RLHF，答案我最后统一公布

阿杰  21:03
1. KL 惩罚的作用是？
A. 加快收敛
B. 防止偏离参考模型

小林  21:04
A

阿杰  21:06
2. PPO 要加载哪些模型？（多选）
A. actor
B. critic

Mia  21:07
「阿杰：2. PPO 要加载哪些模型？（多选）」
- - - - - - - - - - - - - - -
我选 A

阿杰  21:30
公布答案：
1. B（小林再想想）
2. 全选，两个都要加载
"""


def test_the_posters_questions_and_answers_without_the_members_guesses() -> None:
    result = parse_article(PC_WECHAT, name="chat.txt", bank_id="t")
    first, second, third = result.bank.questions
    assert (first.id, first.answer) == ("q57", ["B"])
    assert (second.id, second.answer) == ("q58", ["A", "B"])
    assert (third.id, third.answer) == ("q59", ["A"])
    assert result.lang == "zh"  # the questions under "第57题（单选）" are Chinese
    assert "温度高一点" not in str(result.bank.model_dump())
    assert any("other members" in s.reason for s in result.skipped)


def test_a_forwarded_record_with_its_key_announced_at_the_end() -> None:
    result = parse_article(FORWARDED, name="chat.txt", bank_id="t")
    first, second = result.bank.questions
    assert first.answer == ["B"]
    assert second.answer == ["A", "B"]  # "全选": every option
    assert "我选" not in str(result.bank.model_dump())


def test_text_with_few_message_headers_is_no_chat() -> None:
    lines = ["2024-05-27 08:30:12 release notes", "1. What is RoPE?", "Answer: rotation"]
    assert rewrite_chat(lines) == (lines, [])


DISCORD = """==============================================================
Guild: ML Interview Club
Channel: Quizzes / weekly-quiz
==============================================================

[14-Mar-24 07:00 PM] QuizMaster#0420 (BOT)
**Q1.** What does PagedAttention mainly solve?
A) The quadratic cost of attention
B) Fragmentation of KV-cache memory
{Reactions}
🔥 (14) 👀 (6)

[14-Mar-24 07:01 PM] kernelkat
A? it's an attention kernel after all

[14-Mar-24 07:03 PM] QuizMaster#0420 (BOT)
⏱️ Time! Answer: ||**B** — blocks mapped through a block table.||

[14-Mar-24 07:03 PM] QuizMaster#0420 (BOT)
**Q2.** Why split prefill and decode?
⏱️ Model answer: ||Prefill is compute-bound, decode is bandwidth-bound.||
"""

SLACK = """Monday, March 4th

Priya Raman
  9:02 AM
:brain: *QOTD #57* — continuing our RAG week!
If your chunks are too large, what does that hurt most?
A) Embedding speed
B) Retrieval precision
:eyes: 7  :raised_hands: 2

Aisha Noor
  9:31 AM
I'd say A, long chunks are slow to embed

Priya Raman
  5:48 PM
:white_check_mark: *#57 answer:* B. One vector has to stand for the whole chunk.

Tuesday, March 5th

Priya Raman
  9:00 AM
*q58* (select all that apply) Which give an agent memory across sessions?
A) A vector store of past interactions
B) Raising the temperature
C) A key-value store of extracted facts
3 replies
View thread

Priya Raman
  6:03 PM
:white_check_mark: #58 → A, C.
"""


def test_a_discord_export_with_spoilered_answers() -> None:
    result = parse_article(DISCORD, name="discord.txt", bank_id="t")
    first, second = result.bank.questions
    assert first.answer == ["B"]
    assert first.explanation.get("en") == "blocks mapped through a block table."
    assert second.reference.get("en") == "Prefill is compute-bound, decode is bandwidth-bound."
    assert "kernel after all" not in str(result.bank.model_dump())
    assert "Reactions" not in str(result.bank.model_dump())


def test_a_slack_channel_with_the_day_question_and_its_answer_posted_later() -> None:
    result = parse_article(SLACK, name="slack.txt", bank_id="t")
    first, second = result.bank.questions
    assert (first.id, first.answer) == ("q57", ["B"])
    assert first.prompt.get("en").endswith("what does that hurt most?")
    assert (second.id, second.answer) == ("q58", ["A", "C"])
    dumped = str(result.bank.model_dump())
    for noise in ("slow to embed", "View thread", ":eyes:", "Monday"):
        assert noise not in dumped


WHATSAPP = """04/03/2024, 08:58 - Meera Iyer created group "LLM Interview Grind"
04/03/2024, 09:02 - Meera Iyer: *Q41*
What does the ReAct pattern interleave?
a) Reasoning traces and actions
b) Retrieval and reranking
04/03/2024, 09:20 - Dev Patel: b? retrieval then act
04/03/2024, 09:21 - Dev Patel: <Media omitted>
04/03/2024, 19:45 - Meera Iyer: ✅ 41 → a. Reason, act, observe, repeat.
05/03/2024, 08:30 - Meera Iyer: 🔢 42
Which are good practices when defining tools?
a) Clear names and descriptions
b) One giant free-text tool
c) Structured error messages
05/03/2024, 08:41 - Karthik: a b c
05/03/2024, 20:10 - Meera Iyer: Key for 42: a, c (one giant tool is the anti-pattern)
"""


def test_a_whatsapp_export_whose_messages_start_on_their_header_line() -> None:
    result = parse_article(WHATSAPP, name="chat.txt", bank_id="t")
    first, second = result.bank.questions
    assert (first.id, first.answer) == ("q41", ["A"])
    assert (second.id, second.answer) == ("q42", ["A", "C"])
    assert "retrieval then act" not in str(result.bank.model_dump())


NAME_THEN_TIME = """「推理部署交流群」的聊天记录

老周（群主） 2025-03-10 20:58
【每日一题 #1】判断：投机解码不会改变目标模型的输出分布。
A 正确
B 错误

阿杰 2025-03-10 21:03
我先蒙一个 B

老周（群主） 2025-03-10 22:30
#1 答：A。接受 / 拒绝的规则保证了分布不变。

老周（群主） 2025-03-11 20:30
【每日一题 #2】以下哪些指标衡量延迟？（多选）
A. TTFT
B. TPOT
C. 吞吐量
D. 端到端延迟

老周（群主） 2025-03-12 08:20
#2 公布答案
✅ A. TTFT
✅ B. TPOT
❌ C. 吞吐量
✅ D. 端到端延迟
吞吐是容量指标，不是延迟指标。

阿杰 2025-03-12 08:25
这周的题收藏了，下周出什么

老周（群主） 2025-03-12 08:26
下周出量化，老时间
"""


def test_a_record_whose_headers_name_the_sender_before_the_time() -> None:
    result = parse_article(NAME_THEN_TIME, name="chat.txt", bank_id="t")
    first, second = result.bank.questions
    assert (first.id, first.answer) == ("q1", ["A"])  # "#1 答：A。"
    # the options repeated in the answer message, the right ones ticked
    assert (second.id, second.answer) == ("q2", ["A", "B", "D"])
    assert second.explanation.get("zh") == "吞吐是容量指标，不是延迟指标。"
    dumped = str(result.bank.model_dump())
    assert "下周出量化" not in dumped  # the poster's reply to a member asks and answers nothing
    assert "蒙一个" not in dumped


SLACK_THREADS = """Priya Raman  9:02 AM
Morning! Today's theme is long context, answers in the thread.

Priya Raman  9:04 AM
*Q1.* How does vanilla self-attention scale with sequence length n?
A) O(n)
B) O(n²)

Tom Becker  9:06 AM
B, easy

Priya Raman  9:19 AM
replied to a thread: *Q1.* How does vanilla self-attention…
Answer: B. The score matrix is n × n.

Priya Raman  9:20 AM
*Q2.* Which of these extend the context window of a RoPE model?
A) Position Interpolation
B) YaRN
C) A bigger vocabulary

Priya Raman  9:34 AM
replied to a thread: *Q2.* Which of these extend the context window…
A and B — C has nothing to do with positions.
"""


def test_slack_times_with_am_pm_and_answers_replied_in_a_thread() -> None:
    result = parse_article(SLACK_THREADS, name="slack.txt", bank_id="t")
    first, second = result.bank.questions
    assert (first.id, first.answer, first.explanation.get("en")) == (
        "q1",
        ["B"],
        "The score matrix is n × n.",
    )
    assert second.answer == ["A", "B"]
    dumped = str(result.bank.model_dump())
    assert "replied to a thread" not in dumped
    assert "easy" not in dumped


X_THREAD = """Post

Dana Liu
@danaliu_ml
LLM agent interview questions, part 3 🧵
9:14 AM · Mar 11, 2025
·
48.2K
 Views
37
212
Dana Liu
@danaliu_ml
·
Mar 11
2/9
Q1 In ReAct, what comes right after an Action?
A) Observation
B) Reflection
4
118
Dana Liu
@danaliu_ml
·
Mar 11
Answer: A. The tool result is appended as an Observation.
1
64
Sam Kowalski
@samk_builds
·
Mar 11
Replying to @danaliu_ml
isn't it a Reflection in some papers?
Dana Liu
@danaliu_ml
·
Mar 11
Replying to @samk_builds
Reflexion adds a reflection after a failed episode; ReAct goes Thought, Action, Observation.
Dana Liu
@danaliu_ml
·
Mar 11
3/9
Q2. With function calling, who executes the function?
A) The model
B) Your application code
6
131
Dana Liu
@danaliu_ml
·
Mar 11
Ans: B. The model only returns the name and the arguments.
3
240
Dana Liu
@danaliu_ml
·
Mar 11
That's part 3. Part 4 will be on memory — what should I add?
Show more replies
Relevant people
Dana Liu
@danaliu_ml
Follow
Agents and evals. Previously search.
"""


def test_an_x_thread_without_counts_replies_and_the_sites_suggestions() -> None:
    result = parse_article(X_THREAD, name="thread.txt", bank_id="t")
    first, second = result.bank.questions
    # "2/9" counts the thread's posts; the question's own number is Q1
    assert (first.id, first.answer) == ("q1", ["A"])
    assert first.explanation.get("en") == "The tool result is appended as an Observation."
    assert (second.id, second.answer) == ("q2", ["B"])
    assert second.explanation.get("en") == "The model only returns the name and the arguments."
    dumped = str(result.bank.model_dump())
    for page_text in ("Part 4", "Reflexion", "Previously search", "131", "@dana"):
        assert page_text not in dumped
    reasons = {s.reason for s in result.skipped}
    assert "the site's suggestions after the thread, not imported" in reasons
    assert "chat message that asks and answers nothing, not imported" in reasons


X_POSTS_WITH_THEIR_ANSWERS = """Priya Raman
@priyabuilds
Agent questions, part 2 🧵
Priya Raman
@priyabuilds
·
Mar 14
13. Which step comes right after an Action in ReAct?
A) Observation
B) Reward
Answer: A
1
12
Dev Shah
@devshah_ml
·
Mar 14
Replying to @priyabuilds
13 is a trick question imo
Priya Raman
@priyabuilds
·
Mar 14
that's why it's in the list 😅
Priya Raman
@priyabuilds
·
Mar 14
Q14: how would you design memory for a personal assistant?

What I'd say: split it into short-term context and long-term facts.
7
25
Show more replies
Priya Raman
@priyabuilds
·
Mar 14
15 — last one
When is a multi-agent setup worth it?

My take: when the work splits into parallel parts.
Priya Raman
@priyabuilds
·
Mar 14
16 — bonus
Why can DPO lower the chosen response's log-prob?

what I said: it optimizes the margin, so both can fall.
"""


def test_x_posts_holding_their_own_answers_and_a_short_reply_in_between() -> None:
    result = parse_article(X_POSTS_WITH_THEIR_ANSWERS, name="thread.txt", bank_id="t")
    first, second, third, fourth = result.bank.questions
    assert fourth.reference.get("en") == "it optimizes the margin, so both can fall."
    assert (first.id, first.answer, first.explanation) == ("q13", ["A"], None)
    assert (second.id, second.reference.get("en")) == (
        "q14",
        "split it into short-term context and long-term facts.",
    )
    assert (third.id, third.reference.get("en")) == (
        "q15",
        "when the work splits into parallel parts.",
    )
    assert "Show more" not in str(result.bank.model_dump())


LINE_EXPORT = """[LINE] 「LLM 面試讀書會」的聊天記錄
儲存日期：2025/03/14 23:30

2025/03/10（一）
20:58\t老周\t【每日一題 #1】decode 階段通常是哪種瓶頸？
20:58\t老周\tA. 計算密集
20:58\t老周\tB. 記憶體頻寬密集
21:03\t阿杰\t我猜 A
22:30\t老周\t#1 答案：B。每個 token 都要把權重讀一遍。

2025/03/11（二）
20:30\t老周\t【每日一題 #2】vLLM 減少 KV Cache 碎片的技術叫什麼？
20:30\t老周\tA. FlashAttention
20:30\t老周\tB. PagedAttention
22:02\t老周\t#2 答：B
22:05\t小鹿\t收藏了
"""


def test_a_line_export_in_traditional_chinese() -> None:
    result = parse_article(LINE_EXPORT, name="line.txt", bank_id="t")
    first, second = result.bank.questions
    assert (first.id, first.answer) == ("q1", ["B"])
    assert first.prompt.get("zh") == "decode 階段通常是哪種瓶頸？"
    assert first.explanation.get("zh") == "每個 token 都要把權重讀一遍。"
    assert (second.id, second.answer) == ("q2", ["B"])
    dumped = str(result.bank.model_dump())
    assert "我猜" not in dumped
    assert "收藏了" not in dumped


def test_a_bluesky_thread_with_answers_numbered_like_their_questions() -> None:
    def post(text: str) -> str:
        return f"Ines Moreau\n@inesmoreau.bsky.social\n{text}\n\n"

    result = parse_article(
        "Pretraining questions (Q11–Q12)\n\n"
        + post("LLM interview questions, part 2 🧵 Answers follow each question. (1/5)")
        + post(
            "Q11. Chinchilla-optimal training uses how many tokens per parameter?\nA) 1\n"
            "B) 20\nC) 200\n(2/5)"
        )
        + post("A11: B. ~20 tokens/param. (3/5)")
        + post("Q12. Training compute of a dense transformer is about…\nA) 2ND\nB) 6ND\n(4/5)")
        + post("A12: B. 2ND forward plus 4ND backward. (5/5)"),
        name="bluesky.txt",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert (first.id, first.answer, second.answer) == ("q11", ["B"], ["B"])
    assert [o.text.en for o in first.options] == ["1", "20", "200"]
    assert first.prompt.en == "Chinchilla-optimal training uses how many tokens per parameter?"
    assert not result.notes  # "A11:" is an answer line: nothing inferred
    assert "bsky.social" not in str(result.bank.model_dump())


def _discord_day(n: int, day: int, question: str, options: str, key: str) -> str:
    return (
        f"QOTD Bot APP — 11/{day:02d}/2024 9:00 AM\n📘 Daily LLM Question #{n} · Evaluation\n"
        f"{question}\n{options}React with your answer! Answer drops at 9 PM.\n🇦\n3\n🇧\n21\n"
        f"maya.k — 11/{day:02d}/2024 9:12 AM\n{key}? pretty sure\n"
        f"QOTD Bot APP — 11/{day:02d}/2024 9:00 PM\n✅ Answer for #{n}: {key}\n"
        f"It is the per-sample success rate, averaged over problems ({n}).\n"
    )


def test_a_discord_channel_copied_from_the_app() -> None:
    """Discord's copy: "name — 11/04/2024 9:00 AM" headers, a bot's options drawn as 🇦 🇧,
    the reactions' emoji and counts on lines of their own, a line the bot repeats in every
    post, a discussion question answered by "Model answer for #48 (from @mods):" and the
    thread notices under it."""
    options = "🇦 Per-sample success rate\n🇧 Best of twenty\n"
    chat = "".join(
        _discord_day(n, n - 37, f"What does pass@1 estimate ({n})?", options, key)
        for n, key in ((41, "A"), (42, "B"), (43, "A"))
    )
    chat += (
        "QOTD Bot APP — 11/07/2024 9:00 AM\n💬 Discussion question #48 · Evaluation\n"
        "How would you evaluate a support bot before launch?\n"
        "maya.k started a thread: Discussion question #48. See all threads.\n1 Message ›\n"
        "QOTD Bot APP — 11/07/2024 9:00 PM\n📝 Model answer for #48 (from @mods):\n"
        "Start from real tickets.\n"
    )
    result = parse_article(chat, name="discord.txt", bank_id="t")
    questions = result.bank.questions
    assert [(q.id, q.answer) for q in questions[:3]] == [
        ("q41", ["A"]),
        ("q42", ["B"]),
        ("q43", ["A"]),
    ]
    assert [o.text.en for o in questions[0].options] == [
        "Per-sample success rate",
        "Best of twenty",
    ]
    assert questions[0].prompt.en == "What does pass@1 estimate (41)?"
    assert questions[0].explanation.en.startswith("It is the per-sample success rate")
    assert (questions[3].id, questions[3].reference.en) == ("q48", "Start from real tickets.")
    dumped = str(result.bank.model_dump())
    for noise in ("React with", "started a thread", "Message ›", "pretty sure", "Evaluation"):
        assert noise not in dumped
