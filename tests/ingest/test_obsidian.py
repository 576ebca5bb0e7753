"""Obsidian notes: callouts hold the questions and their folded answers."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.obsidian import rewrite_obsidian


def test_question_callouts_with_folded_answers_are_questions() -> None:
    result = parse_article(
        "# Self-test\n\n> [!info] How to use this note\n> Expand the fold after answering.\n\n"
        "> [!question] Q1. What does the KL penalty do?\n> - A. Speeds up training\n"
        "> - B. Keeps the policy near the SFT model\n>\n> > [!success]- Answer\n"
        "> > **B.** Without it the policy exploits the reward model. ^q1\n\n"
        "> [!question] Q2. Why is PPO memory-hungry?\n>\n> > [!example]- My answer\n"
        "> > Four models: policy, reference, reward and value.\n\n"
        "> [!question] Q3. 哪些方法不需要奖励模型？\n> - A. DPO\n> - B. PPO\n> - C. KTO\n>\n"
        "> > [!tip]- 参考答案\n> > A、C\n",
        name="rlhf.md",
        bank_id="t",
    )
    q1, q2, q3 = result.bank.questions
    assert (q1.prompt.get("en"), q1.answer) == ("What does the KL penalty do?", ["B"])
    assert q1.explanation.get("en") == "Without it the policy exploits the reward model."
    assert q2.kind == "open"
    assert q2.reference.get("en") == "Four models: policy, reference, reward and value."
    assert q3.answer == ["A", "C"]


def test_embeds_links_and_plain_quotes_line_for_line() -> None:
    lines = [
        "Back to [[LLM MOC]] · see [[PPO|the PPO note]]",
        "![[pipeline.png|600]]",
        "> a real quotation",
        "> [!note] Tip",
        "> inside the callout",
        "after it",
        "```",
        "> [!question] in code",
        "```",
    ]
    assert rewrite_obsidian(lines) == [
        "Back to LLM MOC · see the PPO note",
        "![](pipeline.png)",
        "> a real quotation",
        "Tip",
        "inside the callout",
        "after it",
        "```",
        "> [!question] in code",
        "```",
    ]
