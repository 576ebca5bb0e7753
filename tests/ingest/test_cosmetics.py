"""What authors put around a question that is no part of it: company tags, difficulty stars,
emoji inside a bold answer label."""

from __future__ import annotations

import pytest

from llmiq.ingest import parse_article


def test_company_tags_and_stars_leave_the_prompt_and_a_bold_emoji_label_answers() -> None:
    result = parse_article(
        "### 1. **RLHF 的三个阶段顺序是？** ⭐ <sup>字节</sup> <sup>百度</sup>\n\n"
        "- A. RM → SFT → PPO\n- B. SFT → RM → PPO\n\n**答案：** B\n\n"
        "### 2. **KL 惩罚的作用有？（多选）** ⭐⭐⭐ <sup>腾讯</sup>\n\n"
        "- A. 防止偏离参考模型\n- B. 缓解奖励黑客\n- C. 加快 RM 训练\n\n**✅ 答案：** A、B\n",
        name="README.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.prompt.get("zh") == "RLHF 的三个阶段顺序是？"
    assert second.prompt.get("zh") == "KL 惩罚的作用有？（多选）"
    assert (second.kind, second.answer) == ("multiple", ["A", "B"])


def test_a_title_underlined_like_a_newsletters_names_the_bank() -> None:
    result = parse_article(
        "View this email in your browser (https://example.com/x)\r\n\r\n"
        "** Quantization Quiz: 8 Questions\r\n----------------------------\r\n\r\n"
        "Q1. What does INT8 store?\r\nAnswer: 8-bit integers\r\n",
        name="newsletter.txt",
        bank_id="t",
    )
    assert result.bank.title.get("en") == "Quantization Quiz: 8 Questions"


def test_an_underline_under_two_lines_is_no_title_heading() -> None:
    result = parse_article(
        "Attention quiz with answers\nSource: my own notes, do not repost\n=================\n\n"
        "1. Why scale by sqrt(d)?\nAnswer: to keep the softmax out of saturation\n",
        name="quiz.txt",
        bank_id="t",
    )
    assert result.bank.title.get("en") == "Attention quiz with answers"


def test_a_comment_in_code_indented_four_spaces_is_no_title_heading() -> None:
    """A page copied as text loses its code fences; "    # 2 = K 和 V" is the code's comment."""
    result = parse_article(
        "首页\n沸点\n\ndef kv_bytes(n_layers, n_kv_heads, head_dim):\n    # 2 = K 和 V 各一份\n"
        "    return 2 * n_layers * n_kv_heads * head_dim\n\n"
        "1. KV cache 存什么？\n答案：每层的 K 和 V。\n",
        name="juejin-copy.txt",
        bank_id="t",
    )
    assert result.bank.title.get("zh") == "juejin-copy"


def test_a_whole_page_copied_as_text_takes_its_title_from_after_the_sites_menu() -> None:
    result = parse_article(
        "牛客网\n首页\n题库\n登录 / 注册\n练习报告\n大模型基础（Attention 与分词）专项练习\n"
        "共 10 道题　正确 7 道　用时 14分32秒\n\n1. KV cache 存什么？\n答案：每层的 K 和 V。\n",
        name="nowcoder-copy.txt",
        bank_id="t",
    )
    assert result.bank.title.get("zh") == "大模型基础（Attention 与分词）专项练习"
    badge = parse_article(
        "博客\n下载\n学习\n码农老周的AI笔记\nPython领域优质创作者\n156\n原创\n\n"
        "1. KV cache 存什么？\n答案：每层的 K 和 V。\n",
        name="csdn-copy.txt",
        bank_id="t",
    )
    assert badge.bank.title.get("zh") == "csdn-copy"  # a badge under the author's name


@pytest.mark.parametrize(
    ("first", "title"),
    [
        ("March 4, 2025 / #Machine Learning", "LLM Pretraining Interview Questions"),
        ("2024-11-17 · 阅读 2.3k", "LLM Pretraining Interview Questions"),
        ("2025 LLM interview questions, part 2", "2025 LLM interview questions, part 2"),
    ],
)
def test_a_copy_that_opens_with_the_posts_date_takes_its_title_from_under_it(
    first: str, title: str
) -> None:
    result = parse_article(
        f"{first}\nLLM Pretraining Interview Questions\nPriya R.\n\n"
        "1. What does KV cache store?\nAnswer: the keys and values of every layer.\n",
        name="fcc-copy.txt",
        bank_id="t",
    )
    assert result.bank.title.get("en") == title


def test_badges_status_words_difficulty_lines_and_containers_leave_the_text() -> None:
    result = parse_article(
        '### 1. **SFT 的学习率比预训练大还是小？** <Badge text="高频" type="error"/>\n\n'
        "（难度：⭐）\n\n::: details 点击查看答案\n**答案：** 一般更小。\n:::\n\n"
        "### 2. **Where is LayerNorm in Pre-LN?** EASY\n\n- A) after the residual\n"
        "- B) before each sub-layer\n\n:::details Answer\nB, inside each residual branch.\n:::\n\n"
        "::: tip 下一篇\n[RLHF →](./rlhf.md)\n:::\n",
        name="sft.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.prompt.get("zh") == "SFT 的学习率比预训练大还是小？"
    assert first.reference.get("zh") == "一般更小。"
    assert second.prompt.get("en") == "Where is LayerNorm in Pre-LN?"
    assert second.answer == ["B"]


def test_a_thread_that_signs_off_ends_with_its_last_answer() -> None:
    for closing in ("That's the thread. Next week: KV caches.", "That's it! Drop yours below 👇"):
        result = parse_article(
            f"15/ What is RoPE?\n\nAnswer: rotating q and k.\n\n{closing}\n",
            name="thread.txt",
            bank_id="t",
        )
        assert result.bank.questions[0].explanation is None


def test_tags_hints_and_separators_around_a_bold_prompt_go() -> None:
    bank = parse_article(
        '## 2. **RoPE 为什么能表达相对位置？** <Badge type="warning" text="中等" /> 🔥🔥\n\n'
        "答：因为旋转。\n\n"
        '### Q3 · **Which are part of the CAI recipe?** <span class="badge">Medium</span> — '
        "*select all*\n- A. critique\n- B. RLAIF\n\n**Answer:** A, B\n",
        name="a.md",
        bank_id="t",
    ).bank
    assert [q.prompt.get("zh") or q.prompt.get("en") for q in bank.questions] == [
        "RoPE 为什么能表达相对位置？",
        "Which are part of the CAI recipe?",
    ]


def test_an_attribute_list_and_a_select_all_hint_after_a_difficulty_go() -> None:
    bank = parse_article(
        "## :material-numeric-3-circle: **Which of these affect TTFT?** — *Medium* · select all "
        "that apply { #q3 }\n\n- A. prompt length\n- B. output length\n\n**Answer:** A\n",
        name="a.md",
        bank_id="t",
    ).bank
    assert bank.questions[0].prompt.en == "Which of these affect TTFT?"


def test_difficulty_in_code_hot_tags_and_multiple_answer_hints_go() -> None:
    bank = parse_article(
        "**2. 关于 top-p 采样，下列说法正确的是？**　`【难度：★☆☆】` 🔥高频\n\n"
        "A. 固定个数\nB. 累积概率\n\n"
        "**答案：B**\n\n"
        "### **Q4. Which statements about YaRN are correct?** — Medium · *multiple answers*\n\n"
        "- a) scales frequencies\n- b) needs no data\n- c) tempers attention\n\n"
        '??? success "Answer"\n    Only **a** and **c**. YaRN still fine-tunes briefly.\n',
        name="a.md",
        bank_id="t",
    ).bank
    first, second = bank.questions
    assert first.prompt.zh == "关于 top-p 采样，下列说法正确的是？"
    assert second.prompt.zh == "Which statements about YaRN are correct?"  # a zh bank
    assert second.answer == ["A", "C"]


def test_a_yes_or_no_answer_to_a_question_that_asks_why_keeps_its_reason() -> None:
    bank = parse_article(
        "**8. 投机解码会改变输出分布吗？为什么？**\n\n"
        "**参考答案**：不会。以 min(1, p/q) 的概率接受。\n\n"
        "**9. Is RoPE applied to the values?**\n\nAnswer: No — only to queries and keys.\n",
        name="a.md",
        bank_id="t",
    ).bank
    why, plain = bank.questions
    assert why.reference.zh == "不会。以 min(1, p/q) 的概率接受。"
    assert plain.reference.zh == "No"  # a zh bank


def test_a_quarto_badge_and_a_suggested_answer_heading_in_a_callout() -> None:
    bank = parse_article(
        "**6. Which reduce activation memory?** [Medium]{.badge .bg-warning}\n\n"
        "- A. Checkpointing\n- B. Bigger micro-batches\n\n"
        '::: {.callout-tip collapse="true"}\n## Answer\n**A.** Recompute in the backward pass.\n'
        ":::\n\n**7. Why does gradient accumulation match a larger batch?** "
        "[Medium]{.badge .bg-warning}\n\n"
        '::: {.callout-note collapse="true"}\n## Suggested answer\n'
        "Gradients are linear in the loss.\n:::\n",
        name="a.md",
        bank_id="t",
    ).bank
    first, second = bank.questions
    assert first.prompt.en == "Which reduce activation memory?"
    assert first.answer == ["A"]
    assert second.prompt.en == "Why does gradient accumulation match a larger batch?"
    assert second.reference.en == "Gradients are linear in the loss."


def test_an_html_title_in_a_readme_has_its_entities_decoded() -> None:
    bank = parse_article(
        '<h1 align="center">LLM Interview Questions &amp; Answers</h1>\n\n'
        "### 1. What is RoPE?\n\nAnswer: a rotary position encoding.\n",
        name="README.md",
        bank_id="t",
    ).bank
    assert bank.title.en == "LLM Interview Questions & Answers"


def test_a_readmes_badges_leave_its_title() -> None:
    bank = parse_article(
        "# Awesome LLM Agents Interview {#agents} [![Awesome](https://awesome.re/badge.svg)]"
        "(https://awesome.re) ![stars](https://img.shields.io/github/stars/x/y)\n\n"
        "### 1. What is ReAct?\n\nAnswer: reasoning and acting interleaved.\n",
        name="README.md",
        bank_id="t",
    ).bank
    assert bank.title.en == "Awesome LLM Agents Interview"


def test_a_coloured_difficulty_in_italics_after_a_dash_goes() -> None:
    bank = parse_article(
        "**1. What is the pretraining objective of GPT?** — 🟢 *Easy*\n\n- A. next token\n"
        "- B. masked token\n\nAnswer: A\n\n"
        "**3. Which are data pipeline steps?** — 🟡 *Medium* · *pick all that apply*\n\n"
        "- A. dedup\n- B. filtering\n\nAnswer: A, B\n",
        name="post.md",
        bank_id="t",
    ).bank
    assert [q.prompt.en for q in bank.questions] == [
        "What is the pretraining objective of GPT?",
        "Which are data pipeline steps?",
    ]


def test_a_select_all_hint_between_the_bold_prompt_and_its_difficulty_stays_after_it() -> None:
    bank = parse_article(
        "**5. Which are signs of benchmark leakage?** (select all that apply) — *Medium*\n\n"
        "- A. verbatim completion of test items\n- B. a higher loss on the test set\n\n"
        "Answer: A\n",
        name="quarto.md",
        bank_id="t",
    ).bank
    assert (
        bank.questions[0].prompt.en
        == "Which are signs of benchmark leakage? (select all that apply)"
    )


def test_icon_stars_with_a_level_word_and_a_notes_nested_tags_after_a_bold_prompt_go() -> None:
    bank = parse_article(
        "### Q1. **temperature 趋近于 0 时等价于什么？** :material-star::material-star: 中等\n\n"
        "A. 贪心解码\nB. 均匀采样\n\n答案：A\n\n"
        "**Q2. How does WordPiece pick the next merge?** #difficulty/medium #tokenizers\n\n"
        "A) Frequency\nB) Likelihood gain\n\n**Answer:** B\n\n"
        "**Q3. Which norm does LLaMA use?** 🔥 Easy\n\nA) LayerNorm\nB) RMSNorm\n\nAnswer: B\n\n"
        "**Q4. Why does RoPE extrapolate poorly?** :fire::fire:\n\nAnswer: Unseen angles.\n",
        name="notes.md",
        bank_id="t",
    ).bank
    assert [q.prompt.get("zh") or q.prompt.get("en") for q in bank.questions] == [
        "temperature 趋近于 0 时等价于什么？",
        "How does WordPiece pick the next merge?",
        "Which norm does LLaMA use?",
        "Why does RoPE extrapolate poorly?",
    ]


def test_a_labelled_star_rating_and_a_badge_before_an_answering_note_go() -> None:
    bank = parse_article(
        '**Q1 · 温度趋近于 0 时等价于什么？** <span class="md-tag">单选</span> — 难度 ★☆☆\n\n'
        "A. 贪心解码\nB. 均匀采样\n\n答案：A\n\n"
        '### Q2. **Which are RoPE extensions?** <Badge text="Medium" variant="caution" /> '
        "*(select all that apply)*\n\n- A. PI\n- B. YaRN\n- C. ALiBi\n\n**Answer:** A, B\n",
        name="docs.md",
        bank_id="t",
    ).bank
    assert [q.prompt.get("zh") or q.prompt.get("en") for q in bank.questions] == [
        "温度趋近于 0 时等价于什么？",
        "Which are RoPE extensions? (select all that apply)",
    ]


def test_a_level_in_brackets_and_italics_after_a_bold_heading_goes() -> None:
    bank = parse_article(
        "## **Q1. How does BPE build its vocabulary?** *(Easy)*\n\nBy merging frequent pairs.\n\n"
        "## **Q2. How does WordPiece choose a merge?** *(Medium)* — select all that apply\n\n"
        "By likelihood gain.\n",
        name="jekyll.md",
        bank_id="t",
    ).bank
    assert [q.prompt.en for q in bank.questions] == [
        "How does BPE build its vocabulary?",
        "How does WordPiece choose a merge?",
    ]


def test_flames_rating_how_often_a_question_is_asked_leave_the_prompt() -> None:
    result = parse_article(
        "### ✨ 第 1 问：**LoRA 的 B 矩阵怎么初始化？** 【🔥🔥🔥】\n\n- A. 全 0\n- B. 随机\n\n"
        "**答：A**\n\n### ✨ 第 2 问：**QLoRA 的基座权重是几 bit？** 🔥🔥\n\n- A. 4\n- B. 16\n\n"
        "**答：A**\n",
        name="csdn.md",
        bank_id="t",
    )
    assert [q.prompt.zh for q in result.bank.questions] == [
        "LoRA 的 B 矩阵怎么初始化？",
        "QLoRA 的基座权重是几 bit？",
    ]
