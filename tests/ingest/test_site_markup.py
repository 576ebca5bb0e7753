"""What static-site generators and MDX pages leave in the Markdown they publish."""

from __future__ import annotations

from llmiq.ingest import parse_article
from llmiq.ingest.mdx import rewrite_mdx


def test_mdx_quiz_components_become_questions_ticks_and_answers() -> None:
    article = (
        "import { Quiz, Question, Choice } from '@site/src/components/quiz';\n\n"
        '<Quiz id="drill">\n\n<Question n={1} kind="single">\n\nWhat is the rank in LoRA?\n\n'
        "<Choice>The number of layers</Choice>\n<Choice correct>The inner dimension</Choice>\n\n"
        "</Question>\n\n{/* TODO: a DoRA question */}\n\n<Question n={2}>\n\n"
        "Which are PEFT methods?\n\nA. LoRA\nB. Full fine-tuning\nC. Prefix tuning\n\n"
        "<Reveal>\nA and C.\n</Reveal>\n\n</Question>\n\n<Question n={3}>\n\n"
        "When is LoRA not enough?\n\n<Reveal>\nWhen the task needs much new knowledge.\n"
        "</Reveal>\n\n</Question>\n</Quiz>\n"
    )
    result = parse_article(article, name="drill.mdx", bank_id="t")
    first, second, third = result.bank.questions
    assert (first.id, first.answer) == ("q1", ["B"])
    assert [o.text.get("en") for o in first.options] == [
        "The number of layers",
        "The inner dimension",
    ]
    assert (second.id, second.answer) == ("q2", ["A", "C"])
    assert third.reference.get("en") == "When the task needs much new knowledge."
    assert "import" not in result.bank.questions[0].prompt.get("en")


def test_markdown_without_components_is_left_as_it_is() -> None:
    lines = ["1. Which <b>tag</b>?", "A. <Choice> in prose", "Answer: A"]
    assert rewrite_mdx(lines) == lines


def test_liquid_tags_kramdown_attributes_icons_and_tags_after_a_prompt_leave() -> None:
    article = (
        "### :material-numeric-1-circle: **Sycophancy refers to:** — Easy :fire:\n\n"
        "A) refusing\nB) agreeing with the user\n\nAnswer: B\n{: .notice}\n\n"
        "{% include adsense-inarticle.html %}\n\n"
        '### **Q2. BPE 每一步合并的是？** <kbd>⭐⭐</kbd> <span class="badge">高频</span>\n\n'
        "- A. 随机的符号对\n- B. 最高频的相邻符号对\n\n**答案：** B\n\n"
        "**3. BF16 相比 FP16 的优势是？** {% label primary @单选 %}\n\n"
        "- A. 指数位更多\n- B. 尾数位更多\n\n答案：A\n"
    )
    result = parse_article(article, name="post.md", bank_id="t")
    first, second, third = result.bank.questions
    assert third.prompt.get("en") == "BF16 相比 FP16 的优势是？"
    assert (first.id, first.prompt.get("en")) == ("q1", "Sycophancy refers to:")
    assert second.prompt.get("en") == "BPE 每一步合并的是？"
    assert "adsense" not in (first.explanation.get("en") if first.explanation else "")


def test_a_siyuan_export_loses_its_block_attributes_references_and_tags() -> None:
    article = (
        '# 分词面试题\n{: id="20240512101530-h1k2b3c"}\n\n'
        '相关笔记：((20240510093012-ab12cd3 "BPE 原理笔记"))\n{: id="20240512101605-n8m9b0v"}\n\n'
        '### **1. SentencePiece 的说法正确的是？** #难度/★☆☆#\n{: id="20240512101700-p0o9i8u"}\n\n'
        '* {: id="20240512101702-aaa1111"}A. 需要先按空格预分词\n'
        '  {: id="20240512101702-aab1112"}\n'
        '* {: id="20240512101703-aac1113"}B. 把输入当作原始字符流\n'
        '  {: id="20240512101703-aad1114"}\n'
        '{: id="20240512101701-lst0001"}\n\n**答案**：B\n{: id="20240512101706-ans0001"}\n'
    )
    result = parse_article(article, name="siyuan.md", bank_id="t")
    question = result.bank.questions[0]
    assert question.prompt.get("zh") == "SentencePiece 的说法正确的是？"
    assert [o.text.get("zh") for o in question.options] == [
        "需要先按空格预分词",
        "把输入当作原始字符流",
    ]
    assert question.answer == ["B"]
    assert question.explanation is None


def test_hugo_toml_front_matter_zola_shortcodes_and_stars_with_a_level() -> None:
    article = (
        '+++\ntitle = "大模型幻觉面试题"\ndraft = false\n+++\n\n'
        "**1. 以下哪些方法可以检测幻觉？**（多选）— ⭐⭐ 中等\n\n"
        "- A. 自一致性采样\n- B. NLI 校验\n\n"
        "**答案：** AB\n\n"
        '## 2. **What does QLoRA quantize twice?** {{ badge(level="medium") }}\n\n'
        "A. the constants\nB. the adapters\n\n**Answer:** A\n"
    )
    result = parse_article(article, name="post.md", bank_id="t")
    first, second = result.bank.questions
    assert result.bank.title.get(result.lang) == "大模型幻觉面试题"
    assert first.prompt.get(result.lang) == "以下哪些方法可以检测幻觉？"
    assert second.prompt.get(result.lang) == "What does QLoRA quantize twice?"


def test_a_hugo_book_page_with_definition_list_and_roman_options() -> None:
    article = (
        "{{< hint warning >}}\n**Heads-up:** pages are rebuilt nightly.\n{{< /hint >}}\n\n"
        "**1. Which statements about byte-level BPE are true?**\n\n"
        "A\n: It never needs an unknown token\n\nB\n: It needs a pre-tokenizer\n\n"
        "C\n: Its base vocabulary is the 256 bytes\n\n"
        '{{< details title="Answer" open=false >}}\nA and C.\n{{< /details >}}\n\n'
        "**2. The Unigram LM tokenizer builds its vocabulary by…**\n\n"
        "i. merging frequent pairs\\\nii. merging by likelihood ratio\\\n"
        "iii. pruning a large candidate vocabulary\n\n"
        '{{< details title="Answer" open=false >}}\n(iii) — it goes top-down.\n{{< /details >}}\n'
    )
    result = parse_article(article, name="book.md", bank_id="t")
    first, second = result.bank.questions
    assert first.answer == ["A", "C"]
    assert first.options[0].text.get("en") == "It never needs an unknown token"
    assert second.answer == ["C"]
    assert second.options[0].text.get("en") == "merging frequent pairs"
    assert "Heads-up" not in str(result.bank.model_dump())
    assert not any("no question before it" in s.reason for s in result.skipped)  # a callout


def test_a_logseq_page_of_cards_and_their_child_blocks() -> None:
    article = (
        "title:: 预训练面试题卡片\ntags:: 面试, LLM\n\n"
        "- 说明：每题用 #card 做间隔复习，答案写在子块里。\n  collapsed:: true\n"
        "- TODO 补一张 loss spike 的截图\n- ## 目标与数据\n"
        "\t- 预训练数据为什么要去重？ #card\n\t  card-last-interval:: 4\n\t  card-repeats:: 2\n"
        "\t\t- 重复数据会让模型死记硬背。\n\t\t- 近似去重用 MinHash。\n"
        "\t- 备注：下面这张 #card 是选择题，选项用 Shift+Enter 换行。\n"
        "\t- 训练 70B 模型大约需要多少 token？ #card\n\t  A. 140B\n\t  B. 1.4T\n"
        "\t  card-last-score:: 5\n\t\t- 答案：B。约 20 token/参数。\n"
    )
    result = parse_article(article, name="pretraining.md", bank_id="t")
    assert result.bank.title.get("zh") == "预训练面试题卡片"
    first, second = result.bank.questions
    assert first.prompt.get("zh") == "预训练数据为什么要去重？"
    assert first.reference.get("zh").startswith("重复数据会让模型死记硬背。")
    assert "MinHash" in first.reference.get("zh") + str(first.explanation)
    assert (second.answer, len(second.options)) == (["B"], 2)
    assert "card-" not in str(result.bank.model_dump())
    assert "Q: 备注" not in str(first.explanation)  # a block that mentions #card is no card


def test_a_wordpress_collapse_shortcode_hides_the_answer() -> None:
    result = parse_article(
        "### Q1. temperature → 0 时，sampling 等价于？\n\n"
        "- A. Beam search\n- B. Greedy decoding\n\n"
        '[collapse status="false" title="查看答案"]\n**Answer: B**\n\n解析：每步取 argmax。\n'
        "[/collapse]\n\n### Q2. top-p 的候选集合是？\n\n"
        "- A. 前 10 个\n- B. 累计概率达到 p 的最小集合\n\n"
        '[collapse title="查看答案"]\n**Answer: B**\n[/collapse]\n',
        name="typecho.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["B"])
    assert first.explanation.get("zh") == "每步取 argmax。"
    assert "collapse" not in str(result.bank.model_dump())


def test_a_reddit_spoiler_hides_the_answer_line() -> None:
    result = parse_article(
        "**4. You run a 4K-trained RoPE model on 16K tokens. What usually happens?**\n\n"
        "1. It works fine\n2. Perplexity blows up past the trained length\n3. It refuses\n\n"
        ">!Answer: 2!<\n\nPositions past 4K produce angles the model never saw.\n",
        name="reddit.md",
        bank_id="t",
    )
    question = result.bank.questions[0]
    assert question.answer == ["B"]
    assert "!<" not in str(result.bank.model_dump())


def test_a_zulip_spoiler_fence_folds_the_answer_and_is_no_code() -> None:
    result = parse_article(
        "**1.** Which describe Constitutional AI?\n(a) A written list of principles\n"
        "(b) AI feedback for harmlessness\n(c) No human-labelled data at all\n\n"
        "```spoiler Answer 1\nAll except (c). Helpfulness data was human-labelled.\n```\n\n"
        "**2.** What is GCG?\n(a) An RLHF algorithm\n(b) A gradient-guided suffix search\n\n"
        "```spoiler Answer 2\n(b)\n```\n",
        name="zulip.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert (first.answer, second.answer) == (["A", "B"], ["B"])
    assert first.explanation.get("en") == "Helpfulness data was human-labelled."
    assert "spoiler" not in str(result.bank.model_dump())


def test_a_myst_dropdown_folds_answers_and_a_code_block_inside_it_does_not_close_it() -> None:
    result = parse_article(
        "**Question 1.** What does pass@k estimate?\n\n"
        "````{dropdown} Show the answer\nAnswer: the chance that one of k samples passes.\n\n"
        "```python\nprint(1 - comb(n - c, k) / comb(n, k))\n```\n\n"
        "It is computed from n samples, c of them correct.\n````\n\n"
        "**Question 2.** Why can offline gains vanish online?\n\n"
        "````{dropdown} Show the answer\nAnswer: the offline set may not match live traffic.\n"
        "````\n",
        name="myst.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    reference = first.reference.get("en")
    assert reference.startswith("the chance that one of k samples passes.")
    assert reference.endswith("c of them correct.")
    assert "{dropdown}" not in str(result.bank.model_dump())
    assert second.reference.get("en") == "the offline set may not match live traffic."


def test_a_myst_admonitions_options_under_its_opening_are_markup() -> None:
    """ ":::{admonition} Solution" then ":class: dropdown": the option line is the directive's,
    and the key opens the text below it; the same under a fenced "```{admonition}"."""
    for fence, close in ((":::", ":::"), ("```", "```")):
        result = parse_article(
            "### 4. Which can still change greedy output? Select all that apply.\n\n"
            "- A. A repetition penalty\n- B. top_p = 0.5\n- C. A logit bias\n\n"
            f"{fence}{{admonition}} Solution\n:class: dropdown\nA and C. Both modify the logits "
            f"before the argmax.\n{close}\n",
            name="jupyterbook.md",
            bank_id="t",
        )
        assert result.bank.questions[0].answer == ["A", "C"]
        assert "class" not in str(result.bank.model_dump())


def test_docsify_tip_marks_leave_the_answer_line() -> None:
    result = parse_article(
        "### 3. QLoRA 提出了哪些技术？（多选）\n\nA. NF4\nB. 双重量化\nC. 分页优化器\n"
        "D. INT4 训练适配器\n\n?> **答案：ABC**。适配器本身是 BF16 训练的。\n\n"
        "### 4. LoRA 的缩放系数是？\n\nA. r / α\nB. α / r\n\n!> **答案：B**\n",
        name="docsify.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert (first.answer, second.answer) == (["A", "B", "C"], ["B"])
    assert first.explanation.get("zh") == "适配器本身是 BF16 训练的。"


def test_nuxt_contents_inline_badges_leave_the_prompt() -> None:
    result = parse_article(
        '### 1. **What does many-shot jailbreaking exploit?** :badge[Medium]{color="warning"}\n\n'
        "- A. Long context windows\n- B. Tokenizer bugs\n\nAnswer: A\n",
        name="nuxt.md",
        bank_id="t",
    )
    assert result.bank.questions[0].prompt.get("en") == "What does many-shot jailbreaking exploit?"


def test_a_hugging_face_course_quiz_component_gives_options_and_keys() -> None:
    choice = '\t\t{{\n\t\t\ttext: "{}",\n\t\t\texplain: "Because."{}\n\t\t}}'
    choices = ",\n".join(
        choice.format(text, ",\n\t\t\tcorrect: true" if right else "")
        for text, right in [
            ("Normalization", True),
            ("Pre-tokenization", True),
            ("Attention", False),
        ]
    )
    result = parse_article(
        "# End-of-chapter quiz[[end-of-chapter-quiz]]\n\n"
        "### 2. Which are steps of the tokenization pipeline?\n\n"
        f"<Question\n\tchoices={{[\n{choices}\n\t]}}\n/>\n",
        name="chapter6/quiz.mdx",
        bank_id="t",
    )
    question = result.bank.questions[0]
    assert [o.text.get("en") for o in question.options] == [
        "Normalization",
        "Pre-tokenization",
        "Attention",
    ]
    assert question.answer == ["A", "B"]
    assert result.bank.title.get("en") == "End-of-chapter quiz"


def test_a_wiki_pages_equals_headings_are_its_title_and_questions() -> None:
    dokuwiki = (
        "====== Interview prep: attention ======\n\n~~NOTOC~~\n\n"
        "Add the questions you were asked; see [[jobs:start|the start page]].\n\n"
        "===== Q1. Why divide by sqrt(d_k)? =====\n\n"
        "The dot product has variance d_k, so the softmax saturates.\n\n"
        "===== Q2. What does FlashAttention change? =====\n\n"
        "It is exact; pass ''is_causal=True'', see [[wp>FlashAttention|the paper]].\n\n"
        "{{tag>interview attention}}\n"
    )
    result = parse_article(dokuwiki, name="attention.txt", bank_id="t")
    first, second = result.bank.questions
    assert result.bank.title.get("en") == "Interview prep: attention"
    assert (first.id, second.id) == ("q1", "q2")
    assert second.reference.get("en") == "It is exact; pass `is_causal=True`, see the paper."
    sections = (
        "字节大模型一面面经\n\n====== 一面 ======\n\n1. 为什么要除以 sqrt(d_k)？\n\n"
        "答：点积方差为 d_k，softmax 会饱和。\n\n====== 二面 ======\n\n"
        "2. KV Cache 存什么？\n\n答：每层的 K 和 V。\n"
    )
    copied = parse_article(sections, name="mianjing.txt", bank_id="t")
    assert copied.bank.title.get("zh") == "字节大模型一面面经"  # the parts are no title
    assert [q.id for q in copied.bank.questions] == ["q1", "q2"]


def test_a_toggles_reveal_heading_labels_the_answer_under_it() -> None:
    """A Ghost toggle card saved as text: its "#### Show answer" heading is the label of the
    bold key under it ("**C.** …"), as a ``<summary>`` would be; where the toggle's body
    labels itself ("Answer: A. …"), the heading is only the toggle's button."""
    result = parse_article(
        "### 1. What does Cohen's kappa measure?\n\nA. Raw agreement\nB. Agreement corrected"
        " for chance\n\n#### Show answer\n\n**B.** Raw agreement flatters imbalanced labels.\n\n"
        "### 2. Which metric measures calibration?\n\nA. ECE\nB. BLEU\n\n#### Show my answer\n\n"
        "Answer: A. Bin by confidence.\n",
        name="ghost.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.answer == ["B"]
    assert first.explanation.en == "Raw agreement flatters imbalanced labels."
    assert second.answer == ["A"]
    assert "Show my answer" not in str(result.bank.model_dump())
    chinese = parse_article(
        "### 1. 为什么要校准评审模型？\n\n#### 点击查看答案\n\n"
        "先和人工标注比一致性，再用于自动评测。\n",
        name="notes.md",
        bank_id="t",
    )
    assert chinese.bank.questions[0].reference.zh == "先和人工标注比一致性，再用于自动评测。"


def test_a_hexo_butterfly_hide_toggle_holds_the_answer() -> None:
    result = parse_article(
        "**5. 哪些手段能降低长上下文的显存压力？（多选）** ⭐⭐\n\n"
        "- A. 增大词表\n- B. FlashAttention\n- C. Ring Attention\n\n"
        "{% hideToggle 查看答案 %}\n**BC**。FlashAttention 不存 n×n 矩阵。\n{% endhideToggle %}\n\n"
        "**6. 什么是 attention sink？** ⭐⭐⭐\n\n{% hideToggle 参考答案 %}\n"
        "开头几个 token 吸走大量注意力。\n{% endhideToggle %}\n",
        name="hexo.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.answer == ["B", "C"]
    assert second.reference.zh == "开头几个 token 吸走大量注意力。"
    assert "hideToggle" not in str(result.bank.model_dump())
