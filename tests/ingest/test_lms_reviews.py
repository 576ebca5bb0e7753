"""Quiz reviews copied from learning platforms, where the page's marks give the key."""

from __future__ import annotations

import lxml.html

from llmiq.ingest import import_text, parse_article
from llmiq.ingest.answer_details import answer_detail_tables

UDEMY = """Practice Test 3: RAG - Results
Attempt 2
50% correct (1/2)
Review questions
All questions
Skipped

Question 1
Incorrect
Which HNSW parameter trades recall against latency at query time?
Your answer is incorrect
M
efConstruction
Correct answer
efSearch (ef)
Overall explanation
efSearch sets the size of the candidate list during a query.
Domain
Vector Databases

Question 2
Correct
Which statements about Reciprocal Rank Fusion are true? (Select all that apply)
Your selection is correct
It combines result lists using ranks rather than raw scores
It requires scores normalised to [0, 1]
Correct selection
It can merge more than two result lists
Overall explanation
RRF only uses ranks.
Domain
Retrieval

Previous
Next
"""


def test_a_udemy_review_takes_its_key_from_the_marks_above_the_options() -> None:
    result = parse_article(UDEMY, name="udemy.txt", bank_id="t")
    first, second = result.bank.questions
    assert [o.text.en for o in first.options] == ["M", "efConstruction", "efSearch (ef)"]
    assert (first.answer, second.answer) == (["C"], ["A", "C"])
    assert first.explanation.en == "efSearch sets the size of the candidate list during a query."
    dumped = str(result.bank.model_dump())
    for furniture in ("Your answer is incorrect", "Correct selection", "Vector Databases", "Next"):
        assert furniture not in dumped


EDX = """Practice Quiz: Evaluating LLM Applications

1/1 point (ungraded)

Which metric counts a coding problem as solved if one of k sampled programs passes?

Select one answer.

pass^k

pass@k

BLEU

Explanation
The correct answer is pass@k. pass^k requires all k attempts to succeed.

You have used 2 of 2 attempts

Incorrect (0/1 point)

0.67/1 point (ungraded)

Which are documented biases of LLM judges? Select all that apply.

Select all that apply.

[x] Preferring whichever answer is shown first

[ ] Refusing to grade code

[ ] Preferring answers written by its own model family

Explanation
The correct answers are “Preferring whichever answer is shown first” and \
“Preferring answers written by its own model family” — position and self-preference bias.

Partially correct (0.67/1 point)

1/1 point (ungraded)

The judge agrees with humans on 170 of 200 items. What is the agreement rate in percent?

Agreement rate (%)

correct

Answer: 85

Show answer

### Discussion: Practice Quiz

Problem 1: isn't pass^k the same thing?
"""


def test_an_edx_review_takes_its_keys_from_the_explanations_not_the_takers_ticks() -> None:
    result = parse_article(EDX, name="edx.txt", bank_id="t")
    first, second, third = result.bank.questions
    assert [q.id for q in result.bank.questions] == ["q1", "q2", "q3"]
    assert (first.answer, second.answer) == (["B"], ["A", "C"])
    assert second.options[0].text.en == "Preferring whichever answer is shown first"
    assert third.reference.en == "85"
    dumped = str(result.bank.model_dump())
    for furniture in ("You have used", "(0.67/1", "Show answer", "the same thing", "rate (%)"):
        assert furniture not in dumped


COURSERA = """# Week 2 Quiz: Fine-tuning and Evaluating LLMs

## Congratulations! You passed!

### Question 1 1.

Which of the following are PEFT methods? Select all that apply.

1 / 1 point

[x]
LoRA

Correct

Correct. LoRA is a reparameterization method.

[ ]
Full fine-tuning of all layers

[x]
Prompt tuning with soft prompts

Correct

Correct. Prompt tuning is an additive method.

### Question 2 2.

What does LoRA do?

0 / 1 point

Retrains all of the weights in lower precision

Incorrect

Not quite. Review the video on PEFT techniques.

Freezes the weights and trains rank-decomposition matrices

### Question 3 3.

Fine-tuning on many tasks phrased as instructions is called ________.

1 / 1 point

Correct

Correct! This is instruction tuning.

Go to next item
"""


def test_a_coursera_submission_keys_the_options_marked_correct() -> None:
    result = parse_article(COURSERA, name="coursera.md", bank_id="t")
    first, third = result.bank.questions  # question 2 shows no key: reported, not guessed
    assert first.answer == ["A", "C"]
    assert [o.text.en for o in first.options][1] == "Full fine-tuning of all layers"
    assert first.explanation.en.startswith("Correct. LoRA is a reparameterization method.")
    assert third.reference.en == "Correct! This is instruction tuning."
    assert any("What does LoRA do?" in s.excerpt for s in result.skipped)
    assert "1 / 1 point" not in str(result.bank.model_dump())


def test_a_blackboard_review_takes_the_flagged_answer_not_the_takers() -> None:
    right = '<span class="correctAnswerFlag"><img src="c.gif" alt="Correct"></span> '
    question = lxml.html.fromstring(
        '<div class="details"><h3>Question 2</h3><p>What value of k does RRF use?</p>'
        '<table class="answerDetails">'
        '<tr><td class="label">Selected Answer:</td><td class="answer">'
        '<img alt="Incorrect"> a. 1</td></tr>'
        '<tr><td class="label">Answers:</td><td class="answer">a. 1</td></tr>'
        f'<tr><td></td><td class="answer">{right}c. 60</td></tr>'
        '<tr><td class="label">Correct Answer:</td><td class="answer">c. 60</td></tr>'
        '<tr><td class="label">Given Answer:</td><td class="answer">ten</td></tr>'
        '<tr><td class="label">Response Feedback:</td><td class="answer">The paper used 60.'
        "</td></tr></table></div>"
    )
    answer_detail_tables(question)
    assert [p.text_content() for p in question.iter("p")] == [
        "What value of k does RRF use?",
        "a. 1",
        "c. 60 ✔ Correct answer",
        "Answer: c. 60",
        "Explanation: The paper used 60.",
    ]


def test_a_review_lists_its_questions_as_items_with_their_scores() -> None:
    text = (
        "- Question 1\n  2 out of 2 points\n  Which retriever is sparse?\n"
        "  a. BM25 ✔ Correct answer\n  b. HNSW\n"
        "- Question 2\n  0 out of 2 points\n  Which k does RRF use?\n  a. 1\n"
        "  b. 60 ✔ Correct answer\n"
    )
    questions = parse_article(text, name="review.md", bank_id="t").bank.questions
    assert [(q.id, q.answer) for q in questions] == [("q1", ["A"]), ("q2", ["B"])]
    assert questions[0].prompt.get("en") == "Which retriever is sparse?"


def test_a_label_over_the_options_that_repeats_the_number_is_no_question() -> None:
    result = parse_article(
        "Question 11 (1 point)\nWhy does a transformer need positional information?\n"
        "Question 11 options:\n\ta) The softmax needs it\n"
        "\tb) Attention is permutation-equivariant\n"
        "Correct answer: b)\n\nQuestion 12 (1 point)\nWhat does ALiBi do?\nQuestion 12 options:\n"
        "\ta) Adds a distance penalty to the scores\n\tb) Rotates the values\nCorrect answer: a)\n",
        name="brightspace.txt",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.prompt.get("en") == "Why does a transformer need positional information?"
    assert (first.id, first.answer, second.answer) == ("q11", ["B"], ["A"])


FORM_RESULT = """<html><head><title>第 5 周测验 - 答题结果</title></head><body><main>
<h1>第 5 周测验</h1><p>提交成功，你的得分</p><p>15 / 30</p>
<div class="field"><div class="label"><span>1.</span> NF4 基于什么假设？
<span class="type">单选题</span> <span class="score">（10 分）</span></div><ul>
<li class="choice is-selected"><span class="text">均匀分布</span>
<span class="tag">你的选择</span></li>
<li class="choice"><span class="text">零均值正态分布</span><span class="tag">正确答案</span></li>
</ul><div class="got">得分：0 / 10</div></div>
<div class="field"><div class="label"><span>2.</span> 哪些是仅权重量化？
<span class="type">多选题</span> <span class="score">（10 分，漏选得 5 分）</span></div><ul>
<li class="choice"><span class="text">GPTQ</span><span class="tag">你的选择</span>
<span class="tag">正确答案</span></li>
<li class="choice"><span class="text">AWQ</span><span class="tag">正确答案</span></li>
<li class="choice"><span class="text">SmoothQuant</span></li>
</ul><div class="got">得分：5 / 10（部分正确）</div></div>
<div class="field"><div class="label"><span>3.</span> 简述 PTQ 和 QAT 的区别。
<span class="type">简答题</span> <span class="score">（10 分）</span></div>
<div class="answer"><span>你的回答</span><p>QAT 要训练。</p></div><div class="got">待批阅</div>
<div class="analysis"><span>参考答案</span>
<p>PTQ 在训练后量化，QAT 在训练时模拟量化。</p></div></div>
</main></body></html>"""


def test_a_form_result_page_keys_the_tagged_options_not_the_takers_picks() -> None:
    result = import_text(FORM_RESULT, name="result.html", bank_id="t")
    first, second, third = result.bank.questions
    assert first.prompt.get("zh") == "NF4 基于什么假设？"
    assert (first.answer, second.answer) == (["B"], ["A", "B"])
    assert [o.text.get("zh") for o in first.options] == ["均匀分布", "零均值正态分布"]
    assert (third.id, third.prompt.get("zh")) == ("q3", "简述 PTQ 和 QAT 的区别。")
    assert third.reference.get("zh") == "PTQ 在训练后量化，QAT 在训练时模拟量化。"
