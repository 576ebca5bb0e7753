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
