"""Keys given later under a question's number: a channel's replies, an answers post."""

from __future__ import annotations

import pytest

from llmiq.errors import LlmiqError
from llmiq.ingest import parse_article as parse
from llmiq.ingest.result import ImportResult


def parse_article(text: str) -> ImportResult:
    return parse(text, name="post.md", bank_id="post")


CHANNEL = """LLM Interview Daily

Two questions a day, answers in a reply a few hours later.

🧠 **Question 1**
Which of these can an MCP server expose?
A. Tools
B. Resources
C. Prompts
D. Embeddings

Mira

09:06

🧠 **Question 2** (single answer)
Which transport suits a local server launched as a subprocess?
A. stdio
B. WebSocket
C. gRPC

Mira

13:30

In reply to this message

✅ Q1: A, B and C. Embeddings are not an MCP primitive.

Mira

13:31

In reply to this message

✅ Q2: A. Streamable HTTP is for remote servers.

Mira

12:00

📢 Partner post: use code DAILY20 for 20% off
"""


def test_replies_naming_earlier_questions_answer_them() -> None:
    result = parse_article(CHANNEL)
    first, second = result.bank.questions
    assert (first.id, first.answer, second.answer) == ("q1", ["A", "B", "C"], ["A"])
    assert "not an MCP primitive" in first.explanation.get("en")
    assert "remote servers" in second.explanation.get("en")
    assert "Mira" not in first.explanation.get("en") + second.explanation.get("en")


ANSWERS_POST = """**Q1.** Which position encodings are relative?
(a) Learned absolute embeddings
(b) RoPE
(c) ALiBi
(d) Sinusoidal embeddings added to the input

**Q2.** Which statements about needle-in-a-haystack tests are true?
(a) Passing it does not guarantee long-context reasoning
(b) It inserts a fact at varying depths
(c) RULER adds multi-hop tasks on top of it
(d) A perfect score means every token is used equally well

**Q3 (open).** Why does a RoPE model trained on 4k tokens fail at 8k?

✅ **Answers for this week**
Q1: RoPE and ALiBi, so (b) and (c).
Q2: Everything except (d).
Q3: positions beyond 4k give rotation angles the model never saw in training.
"""


def test_an_answers_post_gives_choice_keys_in_prose_and_open_answers() -> None:
    questions = parse_article(ANSWERS_POST).bank.questions
    assert [q.answer for q in questions[:2]] == [["B", "C"], ["A", "B", "C"]]
    assert "never saw in training" in questions[2].reference.get("en")


def test_a_readers_comment_under_the_post_is_no_key() -> None:
    article = CHANNEL.replace("✅ Q2: A.", "Mira\nThat's it for today.").replace(
        "📢 Partner post", "Comments\n\nSofia\nQ2: I'd argue (c) too, honestly.\n\nPartner post"
    )
    result = parse_article(article)
    assert [q.answer for q in result.bank.questions] == [["A", "B", "C"]]


_CHECKS = """Check 1: which tokens carry the loss in SFT?
A. All of them
B. The assistant's reply

Check 2: what does LIMA's superficial alignment hypothesis say?
A. Knowledge comes from pretraining
B. Alignment adds knowledge
"""
_CHECKS_ANSWERED = "\nAnswers to the checks\n\n1. B. The prompt's labels are set to -100.\n"


@pytest.mark.parametrize(
    "article",
    [
        # a section heading over its quizzes, one of them alone under its own heading
        f"## 1. SFT\n\n{_CHECKS}\n## 2. Reward models\n\nCheck 3: which loss trains a reward "
        "model?\nA. Pairwise Bradley-Terry loss\nB. Mean squared error\n"
        f"{_CHECKS_ANSWERED}2. A. Alignment mostly teaches format and style.\n",
        # a part in bold over two quizzes
        f"**1. SFT basics**\n\n{_CHECKS}{_CHECKS_ANSWERED}",
    ],
    ids=["heading", "bold-part"],
)
def test_a_part_over_its_quizzes_is_not_answered_by_a_numbered_key_item(article: str) -> None:
    with pytest.raises(LlmiqError, match="no answers"):
        parse_article(article)


THREAD = """Mira
@mira@sigmoid.social
#11 What is the order of the InstructGPT training stages?

A) SFT → reward model → PPO
B) Reward model → SFT → PPO
Mar 4, 2026, 09:03 · Public

Mira
@mira@sigmoid.social
CW: answer #11
Show less
A. Demonstrations first, then comparisons, then RL.
Mar 4, 2026, 09:03 · Unlisted

Mira
@mira@sigmoid.social
#12 Which models does PPO-based RLHF hold in memory?

A) Policy only
B) Policy and reward model
C) Policy, reference, reward and value models
Mar 4, 2026, 09:05 · Public

Mira
@mira@sigmoid.social
CW: answer #12
Show less
C. That memory bill is why people looked at DPO.
"""


def test_a_folded_answer_labelled_with_the_questions_number_answers_it() -> None:
    questions = parse_article(THREAD).bank.questions
    assert [(q.id, q.answer) for q in questions] == [("q11", ["A"]), ("q12", ["C"])]
    assert "why people looked at DPO" in questions[1].explanation.get("en")


def test_a_chinese_label_names_the_question_it_answers() -> None:
    article = """第 1 题：KV Cache 缓存的是什么？
A. 每层的 K 和 V
B. 每层的 Q

第 2 题：GQA 让几个 query 头共用一组 KV？
A. 一个
B. 一组里的多个

第 1 题答案
A。Q 每步都是新的，不用缓存。

第 2 题答案
B。
"""
    questions = parse_article(article).bank.questions
    assert [q.answer for q in questions] == [["A"], ["B"]]


def test_open_questions_answered_after_the_key_under_labels_naming_them() -> None:
    article = """1. Which metric ranks retrieved chunks?
a) MRR
b) BLEU

2. Which index does FAISS build for exact search?
a) HNSW
b) IndexFlatL2

3. How would you choose the chunk size for a RAG system?

Answer Key

1-a, 2-b

Answer to Q3: There is no universal value; split on headings and tune it with recall@k.
"""
    *choices, last = parse_article(article).bank.questions
    assert [q.answer for q in choices] == [["A"], ["B"]]
    assert last.reference.get("en").startswith("There is no universal value")


def test_a_readers_guess_after_the_answer_does_not_replace_it() -> None:
    article = CHANNEL.replace(
        "📢 Partner post",
        "Ravi\nIn reply to Mira\nQ2: (b) I think? WebSocket feels right\n\n📢 Partner post",
    )
    assert [q.answer for q in parse_article(article).bank.questions] == [["A", "B", "C"], ["A"]]


def test_answers_numbered_after_their_label_answer_the_questions() -> None:
    article = ANSWERS_POST.replace("Q1: RoPE", "Answer 1: RoPE").replace(
        "Q2: Everything", "Answer 2: Everything"
    )
    questions = parse_article(article).bank.questions
    assert [q.answer for q in questions[:2]] == [["B", "C"], ["A", "B", "C"]]


MAILING_LIST = """Week 9 quiz: safety

Priya Raman
to LLM Reading Group
Hi all, reply-all with your answers by Sunday.

Q1. Which are jailbreak techniques? (select all)
(a) Many-shot jailbreaking
(b) GCG suffixes
(c) RLHF

Q2 (short answer). Design a small eval for sycophancy.

Have fun,
Priya

Wen Liu
to LLM Reading Group
My answers: 1 ab, 2 skip, 3 c, 4 abd.

Priya Raman
to LLM Reading Group
Answers! Nice work everyone, Wen gets the prize this week.

1: (a) and (b). RLHF is a defence, not an attack.

2: Ask each question neutrally, then again with the user stating a wrong belief, and count
the flips.
"""


def test_a_mailing_lists_answers_reply_keys_the_quiz_not_a_members_sheet() -> None:
    result = parse_article(MAILING_LIST)
    first, second = result.bank.questions
    assert (first.answer, first.explanation.get("en")) == (
        ["A", "B"],
        "RLHF is a defence, not an attack.",
    )
    assert second.prompt.get("en") == "Design a small eval for sycophancy."
    assert second.reference.get("en").startswith("Ask each question neutrally")
    assert second.explanation is None  # the sign-off and the thread are no explanation
