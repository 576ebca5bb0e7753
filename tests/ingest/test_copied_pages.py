"""Text copied from the pages people save questions from: a WeChat article's numbered
sections, a MOOC's graded quiz."""

from __future__ import annotations

import pytest

from llmiq.errors import LlmiqError
from llmiq.ingest import import_text, parse_article
from llmiq.ingest.html import html_to_text


def test_section_numbers_alone_and_type_lines_above_the_prompt() -> None:
    result = parse_article(
        "# 推理面试 8 题\n\n点击上方蓝字关注我们\n\n"
        "01\n\n单选\n\n自回归解码时，KV Cache 缓存的是什么？\n\n"
        "A. Key 和 Value\n\nB. Query\n\n【答案】A\n\n02\n\n单选 · 计算题\n\n"
        "每个 token 的 KV Cache 约占多少？\n\nA. 256 KB\nB. 512 KB\n\n答：B\n\n"
        "07\n\n问答\n\n为什么前缀缓存能降低 TTFT？\n\n答：命中的前缀不必再做 prefill。\n",
        name="wechat.md",
        bank_id="t",
    )
    assert result.bank.title.zh == "推理面试 8 题"
    assert [(q.id, q.prompt.zh) for q in result.bank.questions] == [
        ("q1", "自回归解码时，KV Cache 缓存的是什么？"),
        ("q2", "每个 token 的 KV Cache 约占多少？"),
        ("q7", "为什么前缀缓存能降低 TTFT？"),
    ]


def test_a_mooc_quizs_verdict_on_the_readers_pick_is_no_part_of_the_key() -> None:
    result = parse_article(
        "22\n多选(2分)\n预训练语料清洗中常见的步骤有：\n"
        "A.去重\nB.质量过滤\nC.去除隐私信息\nD.翻译成英文\n"
        "得分/总分\n0.00/2.00\n正确答案：A、B、C你错选为A、B\n解析：PII 清洗也是标准步骤。\n\n"
        "23\n单选(2分)\nChinchilla 每个参数约对应多少 token？\nA.约 2 个\nB.约 20 个\n"
        "正确答案：B你选对了\n",
        name="mooc.txt",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q22", ["A", "B", "C"]),
        ("q23", ["B"]),
    ]
    assert result.bank.questions[0].prompt.zh == "预训练语料清洗中常见的步骤有："


def test_a_quiz_pages_radio_labels_are_options_and_a_key_lists_their_texts() -> None:
    choice = '<label class="opt"><input type="{kind}" name="q{n}"><span>{text}</span></label>'

    def question(n: int, prompt: str, kind: str, texts: list[str], key: str) -> str:
        labels = "".join(choice.format(kind=kind, n=n, text=t) for t in texts)
        return (
            f'<div class="item"><span class="num">{n}.</span><p>{prompt}</p>'
            f'<div class="options">{labels}</div>'
            f'<div class="answer">Correct Answer: {key}</div></div>'
        )

    page = (
        "<html><head><title>LLM MCQ</title></head><body><main><article><h1>LLM MCQ</h1>"
        + question(5, "The FFN hidden size is:", "radio", ["d_model", "4 × d_model"], "4 × d_model")
        + question(
            7,
            "Which are parts of a GPT block? (Select all that apply)",
            "checkbox",
            ["Causal self-attention", "Cross-attention", "Residual connections"],
            "Causal self-attention, Residual connections",
        )
        + "</article></main></body></html>"
    )
    result = import_text(page, name="mcq.html", bank_id="t")
    questions = result.bank.questions
    assert [[o.text.en for o in q.options] for q in questions] == [
        ["d_model", "4 × d_model"],
        ["Causal self-attention", "Cross-attention", "Residual connections"],
    ]
    assert [q.answer for q in questions] == [["B"], ["A", "C"]]


def test_a_page_that_starts_at_question_five_keeps_its_numbers() -> None:
    result = parse_article(
        "# LLM MCQ\n\n5.\n\nThe FFN hidden size is:\n\n- d_model\n- 4 × d_model\n\n"
        "Correct Answer: 4 × d_model\n\n6.\n\nWhich norm does LLaMA use?\n\n- LayerNorm\n"
        "- RMSNorm\n\nCorrect Answer: RMSNorm\n",
        name="mcq.md",
        bank_id="t",
    )
    assert result.bank.title.en == "LLM MCQ"
    assert [(q.id, q.prompt.en) for q in result.bank.questions] == [
        ("q5", "The FFN hidden size is:"),
        ("q6", "Which norm does LLaMA use?"),
    ]


def test_a_zhihu_answers_plain_line_choices_inline_lower_keys_and_run_keys() -> None:
    result = parse_article(
        "**3、多头注意力相比单头注意力，好处是什么？（多选）**\n不同的头关注不同子空间\n"
        "总计算量和单头大致相当\n可以不需要位置编码\n参数量一定是单头的 h 倍\n"
        "答：前两条。后两条都不对。\n"
        "**7、以下哪些方法能降低注意力的显存占用？**"
        "(a) 分块计算 (b) 滑动窗口 (c) 增加头数 (d) 稀疏注意力\n"
        "答：abd。c 反而会更占显存。\n",
        name="zhihu.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert [o.text.zh for o in first.options][:2] == [
        "不同的头关注不同子空间",
        "总计算量和单头大致相当",
    ]
    assert first.answer == ["A", "B"]
    assert second.prompt.zh == "以下哪些方法能降低注意力的显存占用？"
    assert [o.text.zh for o in second.options] == ["分块计算", "滑动窗口", "增加头数", "稀疏注意力"]
    assert second.answer == ["A", "B", "D"]


def test_the_end_of_a_csdn_post_ends_the_article() -> None:
    result = parse_article(
        "9. 怎么判断回答有没有幻觉？\n讲解（参考回答）：拆成原子事实逐条核对。\n\n"
        "本文完。码字不易，觉得有用的话点个赞再走吧～\n"
        "大模型幻觉为什么无法根除？一文讲透\n评论 5\n",
        name="csdn.txt",
        bank_id="t",
    )
    assert result.bank.questions[0].reference.zh == "拆成原子事实逐条核对。"
    assert "码字不易" not in str(result.bank.model_dump())


def test_a_cnblogs_posts_sign_off_and_footer_end_the_article() -> None:
    result = parse_article(
        "No.16\n训练报 NCCL timeout，你会怎么排查？\n参考答案：\n先定位掉队的 rank。\n\n"
        "本篇就到这里，下一篇写序列并行和 Ring Attention。\n"
        "posted @ 2024-03-09 21:14  炼丹的老王  阅读(2310)  评论(6)\n"
        "#1楼 2024-03-10 09:12 路过的调参侠\n第 12 题是不是应该是 18 字节？\n",
        name="cnblogs.txt",
        bank_id="t",
    )
    assert result.bank.questions[0].reference.zh == "先定位掉队的 rank。"
    dumped = str(result.bank.model_dump())
    assert "Ring Attention" not in dumped
    assert "调参侠" not in dumped
    footer_only = parse_article(
        "No.16\n怎么排查 NCCL timeout？\n参考答案：\n先定位掉队的 rank。\n"
        "posted @ 2024-03-09 21:14  炼丹的老王  阅读(2310)\n#1楼 路过的调参侠\n",
        name="cnblogs.txt",
        bank_id="t",
    )
    assert "调参侠" not in str(footer_only.bank.model_dump())


def test_inline_html_that_colours_answers_in_a_readme() -> None:
    result = parse_article(
        "### 1. 温度趋近 0 时，采样近似等价于？\n\nA. 随机采样<br>\nB. 贪心解码<br>\nC. 束搜索\n\n"
        '<font color="red">✔ 选 B</font> —— 概率集中到最大的 token 上。\n\n'
        "### 2. 哪些做法让生成更多样？（多选）\n\nA. 提高温度\nB. 降低 top-p\nC. 增大 top-k\n\n"
        "<mark>正解：A、C</mark>\n\n"
        "### 3. 投机解码的说法正确的有？\n\nA. 无损\nB. 需要草稿模型\nC. 一定更快\n\n"
        "**答案：** <kbd>A</kbd> <kbd>B</kbd>\n",
        name="README.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A", "C"], ["A", "B"]]


def test_a_readmes_cards_in_html_tables_with_html_lists_and_spaced_options() -> None:
    result = parse_article(
        '<table>\n<tr>\n<td width="70%">\n\n**Card 1 · Retrieval basics**\n\n'
        "How does a bi-encoder score documents?\n\n"
        '<ol type="A">\n<li>Jointly, in one transformer</li>\n'
        "<li>Independently, by a dot product</li>\n"
        "</ol>\n\n</td>\n<td>\n\n**Answer:** B\n\n</td>\n</tr>\n</table>\n\n"
        "<table>\n<tr>\n<td>\n\n**Card 2 · Metrics**\n\n"
        "Which metric looks only at the first hit?\n\n"
        "A) MRR &nbsp;&nbsp;&nbsp; B) nDCG@10 &nbsp;&nbsp;&nbsp; C) Recall@k\n\n</td>\n<td>\n\n"
        "**Answer:** A\n\n</td>\n</tr>\n</table>\n",
        name="README.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q1", "q2"]
    assert [[o.text.en for o in q.options] for q in questions] == [
        ["Jointly, in one transformer", "Independently, by a dot product"],
        ["MRR", "nDCG@10", "Recall@k"],
    ]
    assert [q.answer for q in questions] == [["B"], ["A"]]


def test_a_table_of_contents_copied_with_a_csdn_post_is_left_out() -> None:
    result = parse_article(
        "大模型面试八股文\n原创\n文章目录\n前言\n一、基础篇\n1. 为什么需要 KV Cache？\n"
        "2. LoRA 为什么省显存？\n总结\n前言\n最近整理了高频题。\n\n一、基础篇\n"
        "1. 为什么需要 KV Cache？\n每一步不必重算前缀的 K、V。\n\n2. LoRA 为什么省显存？\n"
        "只训练低秩矩阵，优化器状态小。\n\n总结\n以上。\n",
        name="csdn.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.reference.zh for q in questions] == [
        "每一步不必重算前缀的 K、V。",
        "只训练低秩矩阵，优化器状态小。",
    ]
    assert any("table of contents" in str(note) for note in result.skipped)


def test_a_nowcoder_practice_pages_buttons_and_discussion() -> None:
    result = parse_article(
        "8/8　[问答题]\n为什么大模型数不清 strawberry 里有几个 r？\n查看答案及解析\n参考答案：\n"
        "模型看到的是 token，不是字母。\n知识点：分词\n添加笔记　　求解答(21)　　收藏　　纠错\n\n"
        "讨论区（共 16 条）\n牛客 91827364 号：第 6 题 D 我觉得也对吧\n",
        name="nowcoder.txt",
        bank_id="t",
    )
    question = result.bank.questions[0]
    assert question.prompt.zh == "为什么大模型数不清 strawberry 里有几个 r？"
    assert question.reference.zh == "模型看到的是 token，不是字母。"
    assert "牛客" not in str(result.bank.model_dump())
    choice = parse_article(
        "1. softmax 沿哪个维度归一化？\nA.每一行\nB.每一列\n正确答案：A　你的答案：A（正确）\n"
        "暂无官方题目解析，去讨论区看看吧！\n知识点：Transformer\n添加笔记\n",
        name="nowcoder.txt",
        bank_id="t",
    ).bank.questions[0]
    assert (choice.answer, choice.explanation) == (["A"], None)


def test_exercise_headings_number_a_worksheets_questions() -> None:
    result = parse_article(
        "### Exercise 1\n\nWhich technique writes out reasoning steps?\n\n- [ ] Few-shot\n"
        "- [x] Chain-of-thought\n\n### Exercise 2\n\nWhy does self-consistency need temperature?"
        "\n\nAnswer: every sample would be the same path.\n",
        name="worksheet.md",
        bank_id="t",
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2"]
    assert result.bank.questions[0].answer == ["B"]


@pytest.mark.parametrize(
    "closing",
    [
        "That is the round. If you want the training round next, clap so I know.",
        "If you run a loop, I would love to hear which ones discriminate.",
        "If you are preparing for a safety-focused role, also read up on prompt injection.",
        "Which question would you add to this list?",
        "以上。题目有问题欢迎评论区指出，觉得有帮助的话点个赞同，秋招加油。",
        "Upvote\n142\nDownvote\nGo to comments\n\nu/kernel_panic_42 • 4 mo. ago\nI'd pick (b).",
        "考完感觉对齐那几题还行，MoE 的题比较偏工程。求个后续，许愿 offer！\n点赞 32",
        "友情链接\n公司地址：北京市朝阳区北苑路\n京ICP备14055008号-4\n营业执照",
        "京ICP备14055008号-4\n增值电信业务经营许可证\n营业执照",
    ],
)
def test_a_blogs_sign_off_after_the_last_answer_is_left_out(closing: str) -> None:
    last = "Q8. Why cache keys?\nAnswer: so each step reuses them.\n\n"
    result = parse_article(last + closing + "\n", name="post.md", bank_id="t")
    assert result.bank.questions[0].explanation is None


@pytest.mark.parametrize(
    "promotion",
    [
        "Note: Join free QuizBuffer classes at Telegram or Youtube",
        "**Are you interview ready?** Take a free mock assessment in 30 minutes.",
        "🔥 Want 300+ more LLM questions? Premium unlocks every practice set.",
        "Become a Certified Agentic AI Pro – Enroll in the program today!",
        "【牛客】大模型算法岗校招冲刺班，大厂导师 1v1 改简历，限时 5 折 >>",
        "Check this: Artificial Intelligence MCQs | Large Language Models Books",
        "QuizSite Certification Contest of the Month is Live. 100+ Subjects. Participate Now!",
    ],
)
def test_a_promotion_between_questions_is_left_out(promotion: str) -> None:
    result = parse_article(
        f"Q1. Why cache keys?\nAnswer: to reuse them.\n\n{promotion}\n\n"
        "Q2. Why RoPE?\nAnswer: relative positions.\n",
        name="page.txt",
        bank_id="t",
    )
    assert [q.id for q in result.bank.questions] == ["q1", "q2"]
    assert result.bank.questions[0].explanation is None


@pytest.mark.parametrize(
    "guard",
    [
        "（以下为参考答案，请勿提前翻看）",
        "先自己想一想再往下看",
        "—— 答案分割线 ——",
        "Stop here if you want to test yourself.",
    ],
)
def test_a_line_asking_not_to_peek_before_the_key_is_left_out(guard: str) -> None:
    result = parse_article(
        f"1. 缩放因子是？\nA. d\nB. √d\n\n2. 掩码填充？\nA. 0\nB. 负无穷\n\n"
        f"{guard}\n\n答案：1.B 2.B\n",
        name="quiz.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["B"]]
    assert all(q.explanation is None for q in result.bank.questions)


def test_numbered_headings_outrank_a_numbered_list_in_an_answer() -> None:
    result = parse_article(
        "# LLM Agents Interview Questions\n\n#### 1) What makes something an agent?\n\n"
        "The model decides the control flow at run time.\n\n"
        "#### 2) Walk me through function calling end to end.\n\n"
        "1. You send the conversation and the tool definitions.\n2. The model returns a call.\n"
        "3. Your code runs it.\n\n#### 3) What is MCP?\n\nAn open protocol for tools and data.\n",
        name="README.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q1", "q2", "q3"]
    assert "3. Your code runs it." in questions[1].reference.en


def test_a_practice_sites_cards_number_glued_to_its_type_and_its_sales_pitch() -> None:
    card = (
        '<div class="q-card"><div class="q-head"><span class="q-no">{n}</span>'
        '<span class="q-type">{kind}</span></div><div class="q-stem">{stem}</div>'
        '<ul class="q-options">{options}</ul><div class="q-hint">{hint}</div>'
        '<div class="q-answer"><p>正确答案：<b>{key}</b></p><p>解析：{why}</p></div></div>'
    )
    option = '<li><label><input type="radio" name="q{n}" value="{k}"> {k}. {text}</label></li>'

    def question(n: int, kind: str, stem: str, texts: list[str], key: str, why: str) -> str:
        options = "".join(option.format(n=n, k="ABCD"[i], text=t) for i, t in enumerate(texts))
        hint = "选择一个选项后提交" if kind == "单选题" else "多选题，选出所有正确选项后提交"
        return card.format(n=n, kind=kind, stem=stem, options=options, hint=hint, key=key, why=why)

    page = (
        "<html><body><main><h1>Agent 专项练习</h1>"
        + question(1, "单选题", "ReAct 的核心是？", ["先规划后执行", "交替推理"], "B", "交替。")
        + '<div class="vip-banner"><p>还在一道一道刷题？为什么不试试会员专属的 AI 模拟面试？</p>'
        "<p>1,200+ 道大模型面试真题、大厂面经和 AI 简历诊断，一次解锁。</p></div>"
        + question(2, "多选题", "MCP 的原语有？", ["Tools", "Resources", "Vectors"], "AB", "无 C。")
        + "</main></body></html>"
    )
    result = import_text(page, name="tiku.html", bank_id="t")
    questions = result.bank.questions
    assert [(q.id, q.prompt.zh, q.answer) for q in questions] == [
        ("q1", "ReAct 的核心是？", ["B"]),
        ("q2", "MCP 的原语有？", ["A", "B"]),
    ]
    dumped = str(result.bank.model_dump())
    assert "提交" not in dumped
    assert "模拟面试" not in dumped


def test_a_mooc_review_page_with_each_options_text_in_a_block_after_its_letter() -> None:
    def question(n: int, kind: str, stem: str, texts: list[str], pick: str, key: str) -> str:
        option = '<span class="optionPos">{}.</span><div class="optionCnt"><p>{}</p></div>'
        if kind.startswith("单选"):  # in a label, or right in the item
            option = f"<label>{option}</label>"
        options = "".join(
            f'<li><input type="radio" disabled>{option.format("ABCD"[i], t)}</li>'
            for i, t in enumerate(texts)
        )
        return (
            f'<div class="u-questionItem"><div class="qaCate"><span>{n}</span><span>{kind}</span>'
            f'</div><div class="qaDescription"><p>{stem}</p></div><ul>{options}</ul>'
            '<div class="analysisInfo"><div><span>得分/总分</span></div>'
            f"<div><span>{pick}</span><span>2.00/2.00</span></div>"
            f"<div><span>正确答案：{key}</span><span>你选对了</span></div></div>"
            '<div class="qaOpt"><a>收藏本题</a><a>纠错</a><a>去讨论区讨论本题</a></div></div>'
        )

    page = (
        "<html><body><main><h2>第4周 单元测验</h2>"
        + question(1, "单选(2分)", "LoRA 训练时更新的是：", ["只有 A 和 B", "原权重 W"], "A.", "A")
        + question(2, "多选(2分)", "QLoRA 用到了：", ["NF4", "双重量化", "FP32"], "A.B.", "A、B")
        + '<a href="/list">返回测验列表</a><p>下载App，离线学习更方便</p><p>扫码领取 7 天会员</p>'
        + "</main></body></html>"
    )
    written = html_to_text(page)  # each option on its own line
    assert "A. 只有 A 和 B\nB. 原权重 W" in written
    assert "A. NF4\nB. 双重量化" in written
    result = import_text(page, name="mooc.html", bank_id="t")
    questions = result.bank.questions
    assert [[o.text.zh for o in q.options] for q in questions] == [
        ["只有 A 和 B", "原权重 W"],
        ["NF4", "双重量化", "FP32"],
    ]
    assert [(q.id, q.answer) for q in questions] == [("q1", ["A"]), ("q2", ["A", "B"])]
    dumped = str(result.bank.model_dump())
    for furniture in ("2.00", "讨论", "返回", "会员", "App"):
        assert furniture not in dumped


def test_a_social_posts_arrow_answers_and_the_comments_under_it() -> None:
    result = parse_article(
        "5 fine-tuning questions\n\n"
        "1/ Which are parameter-efficient?\na) LoRA\nb) Full fine-tuning\nc) Prefix tuning\n"
        "d) IA³\n→ a, c and d. Full fine-tuning updates every weight.\n\n"
        "2/ You raise the LoRA rank r. What happens?\na) More trainable parameters\n"
        "b) A smaller α/r\nc) Better quality, guaranteed\n→ The first two. Not a free lunch.\n\n"
        "3/ What does a DPO example need?\na) A prompt\nb) A chosen response\n"
        "c) A rejected response\nd) A reward model\n→ Only (d) isn't needed.\n\n"
        "4/ When would you use RAG instead?\n→ When the problem is knowledge, not behaviour.\n\n"
        "How many did you get? Drop your score below 👇\n\nLike\nComment\n\n"
        "Sofia Brandt\nQ3: I'd argue (c) too.\nLike\nReply\n",
        name="linkedin.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [(q.id, q.answer) for q in questions[:3]] == [
        ("q1", ["A", "C", "D"]),
        ("q2", ["A", "B"]),
        ("q3", ["A", "B", "C"]),
    ]
    assert questions[3].reference.en == "When the problem is knowledge, not behaviour."
    assert "argue" not in str(result.bank.model_dump())


def test_bracketed_question_numbers_in_bold() -> None:
    result = parse_article(
        "## 一、长上下文\n\n**【第1题】**RoPE 是怎么引入位置信息的？\n\nA、旋转 Q、K\n\n"
        "B、加到 embedding 上\n\n▶ 答案：A\n\n**【第2题】**PI 的做法是？\n\nA、更大的位置索引\n\n"
        "B、按比例缩小位置索引\n\n▶ 答案：B\n",
        name="aliyun.md",
        bank_id="t",
    )
    assert [(q.id, q.prompt.zh, q.answer) for q in result.bank.questions] == [
        ("q1", "RoPE 是怎么引入位置信息的？", ["A"]),
        ("q2", "PI 的做法是？", ["B"]),
    ]


def test_a_columns_headings_numbered_with_a_bar() -> None:
    result = parse_article(
        "# 推理面试题\n\n# 01 | 为什么推理要用 KV Cache？\n\n前缀的 K、V 不会再变。\n\n"
        "# 02 | prefill 和 decode 的瓶颈有什么不同？\n\nprefill 算力密集，decode 访存密集。\n",
        name="bilibili.md",
        bank_id="t",
    )
    assert [(q.id, q.reference.zh) for q in result.bank.questions] == [
        ("q1", "前缀的 K、V 不会再变。"),
        ("q2", "prefill 算力密集，decode 访存密集。"),
    ]


def test_a_docs_headings_numbered_with_a_space() -> None:
    result = parse_article(
        "# Agent 面试高频问题\n\n## 一、基本概念\n\n### 01 Agent 和 Workflow 有什么区别？\n\n"
        "控制流由谁决定。\n\n### 02 ReAct 是什么？\n\n思考、动作、观察交替。\n",
        name="feishu.md",
        bank_id="t",
    )
    assert [(q.id, q.prompt.zh, q.reference.zh) for q in result.bank.questions] == [
        ("q1", "Agent 和 Workflow 有什么区别？", "控制流由谁决定。"),
        ("q2", "ReAct 是什么？", "思考、动作、观察交替。"),
    ]


def test_a_prep_sites_cards_with_options_as_buttons_and_tags_over_the_prompt() -> None:
    def card(n: int, level: str, prompt: str, texts: list[str], key: str) -> str:
        options = "".join(
            f'<button class="option" type="button"><span class="option__key">{"ABCD"[i]}</span>'
            f'<span class="option__text">{text}</span></button>'
            for i, text in enumerate(texts)
        )
        return (
            f'<section class="qcard"><div class="meta"><span>Question {n}</span>'
            f"<span>{level}</span><span>Asked at: Google · Meta</span></div>"
            f'<p class="prompt">{prompt}</p><p class="hint-label">Select one option</p>'
            f'<div class="options">{options}</div><div class="actions"><button>Reveal answer'
            f'</button><a class="report" href="/r">Report a problem</a></div>'
            f'<div class="solution"><p>Correct answer: {key}</p><p>{why}</p></div></section>'
        )

    why = "Explained in a sentence or two, with the numbers a candidate should know by heart."
    cards = [
        (1, "Easy", "Why is QK^T divided by √d_k in scaled dot-product attention?",
         ["To reduce memory use", "To keep the softmax from saturating"], "B"),
        (2, "Medium", "In a decoder-only model, what does the causal mask prevent?",
         ["Attending to later positions", "Attending to padding"], "A"),
        (3, "Medium", "Which normalisation do Llama-style decoder blocks use?",
         ["BatchNorm after attention", "RMSNorm before each sublayer"], "B"),
        (4, "Hard", "What does weight tying share in a language model?",
         ["The input embedding and the output projection", "Every layer's attention"], "A"),
    ]  # fmt: skip
    page = (
        "<html><body><main><h1>Transformer Fundamentals</h1>"
        + "".join(card(*c) for c in cards)
        + "</main></body></html>"
    )
    result = import_text(page, name="prep.html", bank_id="t")
    questions = result.bank.questions
    assert [(q.prompt.en, q.answer) for q in questions] == [(c[2], [c[4]]) for c in cards]
    assert [[o.text.en for o in q.options] for q in questions] == [c[3] for c in cards]
    dumped = str(result.bank.model_dump())
    for furniture in ("Select one", "Report", "Asked at", "Reveal"):
        assert furniture not in dumped


def test_a_question_line_of_tags_over_its_prompt_and_a_count_of_takers() -> None:
    result = parse_article(
        "第 1 题 单选 考察频率 ★★★★★ 字节跳动 · 阿里巴巴\n\nKV Cache 里缓存的是什么？\n\n"
        "A. K 和 V\nB. Q、K、V\n\n1.2 万人做过 · 正确率 78%\n\n正确答案：**A**\n",
        name="prep.txt",
        bank_id="t",
    )
    question = result.bank.questions[0]
    assert question.prompt.zh == "KV Cache 里缓存的是什么？"
    assert [o.text.zh for o in question.options] == ["K 和 V", "Q、K、V"]
    assert question.answer == ["A"]


def test_a_moodle_quiz_review_copied_as_text() -> None:
    review = (
        "Quiz 4: Quantization\nStarted on\tTuesday, 14 October 2025, 7:02 PM\n"
        "Question 1\nCorrect\nMark 1.00 out of 1.00\nFlag question\nQuestion text\n"
        "What is the zero point of symmetric INT8 quantization?\nSelect one:\na.\n127\nb.\n0\n"
        "Feedback\nYour answer is correct.\nThe correct answer is: 0\n"
        "Question 2\nPartially correct\nMark 0.50 out of 1.00\nFlag question\nQuestion text\n"
        "Which reduce the KV cache? Select all that apply.\nSelect one or more:\na.\n"
        "Grouped-query attention\nb.\nStoring keys in FP8, per head\nc.\nMore heads\n"
        "Feedback\nYou have correctly selected 1.\nFewer or smaller K/V heads shrink the cache.\n"
        "The correct answers are: Grouped-query attention, Storing keys in FP8, per head\n"
        "Question 3\nIncorrect\nMark 0.00 out of 1.00\nFlag question\nQuestion text\n"
        "GPTQ needs no calibration data.\nSelect one:\nTrue\nFalse\nComment:\nReread GPTQ.\n"
        "Feedback\n"
        "The correct answer is 'False'.\n"
        "Question 4\nComplete\nMark 1.50 out of 2.00\nFlag question\nQuestion text\n"
        "Why are activations harder to quantize than weights?\nthey have outliers i think\n"
        "Comment:\nSay why outliers hurt.\nFeedback\nModel answer: A few channels carry outliers.\n"
        "Finish review\nQuiz navigation\n1 2 3 4\n"
    )
    result = parse_article(review, name="moodle.txt", bank_id="t")
    questions = result.bank.questions
    assert [(q.id, q.answer) for q in questions[:3]] == [
        ("q1", ["B"]),
        ("q2", ["A", "B"]),
        ("q3", ["B"]),
    ]
    assert [o.text.en for o in questions[1].options] == [
        "Grouped-query attention",
        "Storing keys in FP8, per head",
        "More heads",
    ]
    assert [o.text.en for o in questions[2].options] == ["True", "False"]
    assert questions[1].explanation.en == "Fewer or smaller K/V heads shrink the cache."
    assert questions[3].prompt.en == "Why are activations harder to quantize than weights?"
    assert questions[3].reference.en == "A few channels carry outliers."
    dumped = str(result.bank.model_dump())
    for furniture in ("Flag question", "Mark ", "i think", "Say why", "Reread", "Finish review"):
        assert furniture not in dumped


def test_notes_pasted_from_a_chat_with_an_assistant() -> None:
    result = parse_article(
        "# agents — interview notes\n\n## Q1. Explain ReAct\n\nChatGPT said:\n\n"
        "ReAct interleaves reasoning and acting.\n\njson\nCopy\nEdit\n"
        '{"name": "x"}\n\nYou said:\nok what about prompt injection\n\n'
        "## Q2. What is indirect prompt injection?\n\nInstructions hidden in content the model "
        "reads.\n",
        name="notes.md",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert first.reference.en == 'ReAct interleaves reasoning and acting.\n\n{"name": "x"}'
    assert second.reference.en == "Instructions hidden in content the model reads."


def test_a_reposted_wechat_articles_guard_plug_and_repost_footer_are_left_out() -> None:
    result = parse_article(
        "### 08 Plan-and-Execute 和 ReAct 有什么区别？\n\n先想 10 秒再往下看\n\n"
        "答：前者先规划，后者走一步看一步。\n\n后台回复「Agent」领取 60 页面试手册\n\n"
        "### 09 怎么评估一个 Agent？\n\n答：看任务成功率和轨迹。\n\n"
        "以上，觉得有用可以转发给一起准备面试的朋友。\n\n本文分享自 微信公众号 - AI面试研究所\n",
        name="tencent.md",
        bank_id="t",
    )
    assert [q.reference.zh for q in result.bank.questions] == [
        "前者先规划，后者走一步看一步。",
        "看任务成功率和轨迹。",
    ]
    dumped = str(result.bank.model_dump())
    for aside in ("10 秒", "领取", "转发", "本文分享自"):
        assert aside not in dumped
    footer_only = parse_article(
        "### 09 怎么评估一个 Agent？\n\n答：看任务成功率和轨迹。\n\n"
        "本文分享自 微信公众号 - AI面试研究所\n原始发表时间：2025-03-28\n",
        name="tencent.md",
        bank_id="t",
    )
    assert "本文分享自" not in str(footer_only.bank.model_dump())


def test_a_medium_copy_loses_its_highlights_image_prompts_and_newsletter_box() -> None:
    result = parse_article(
        "Member-only story\n\nLoRA questions\n\nListen\n\nShare\n\n"
        "Q1. Why is LoRA's B matrix initialised to zero?\n(A) Speed\n(B) So that BA = 0 at first\n"
        "👇 Think first, answer below 👇\nAnswer: (B). The update starts at zero.\n\n"
        "Top highlight\nGet Daniel Osei’s stories in your inbox\n"
        "Join Medium for free to get updates from this writer.\n\nSubscribe\n\n"
        "Press enter or click to view image in full size\n\n"
        "Q2. What does rsLoRA scale by?\n(A) α/√r\n(B) α·r\n👇 Think first, answer below 👇\n"
        "Answer: (A). It keeps high ranks stable.\n",
        name="medium.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
    dumped = str(result.bank.model_dump())
    for furniture in ("Think first", "Top highlight", "in your inbox", "Subscribe", "full size"):
        assert furniture not in dumped


def test_a_ghost_copys_subscribe_box_between_questions() -> None:
    result = parse_article(
        "14\nWhat does a DPO pair hold?\nA) A prompt and one response\nB) A prompt, a chosen and "
        "a rejected response\n\nAnswer: B. The reference model gives the baseline.\n\n"
        "Subscribe to The Gradient Log\nGet part 3 (RLHF and reward models) in your inbox.\n"
        "Subscribe\n\n15\nWhat does β control?\nA) The learning rate\nB) The KL strength\n\n"
        "Answer: B.\n",
        name="ghost.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["B"]]
    dumped = str(result.bank.model_dump())
    assert "Gradient Log" not in dumped
    assert "part 3" not in dumped
    hashnode = parse_article(
        "30. What does top-2 routing send each token to?\nAnswer: its two best experts.\n\n"
        "Subscribe to our newsletter\nRead articles from Daniel's Notes directly inside your "
        "inbox.\n\nSubscribe\nMore Articles\nDaniel Osei\nHow much VRAM does a 7B need?\n",
        name="hashnode.txt",
        bank_id="t",
    )
    assert "VRAM" not in str(hashnode.bank.model_dump())  # the page after the article's end


def test_a_dev_to_code_blocks_fullscreen_buttons_are_furniture() -> None:
    result = parse_article(
        "### 1\\. Which make a good tool error?\n\n(a) A bare 500\n\n(b) A short message the model "
        'can act on\n\n**Answer:** (b). For example:\n\n```json\n{"error": "bad_date"}\n```\n\n'
        "Enter fullscreen mode Exit fullscreen mode\n\n### 2\\. Next?\n\n(a) Yes\n\n(b) No\n\n"
        "**Answer:** (a)\n",
        name="devto.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
    assert "fullscreen" not in str(result.bank.model_dump())


def test_a_substack_subscribe_box_between_questions_does_not_end_the_post() -> None:
    result = parse_article(
        "Q1. Which metric needs a reference answer?\n(a) Faithfulness\n(b) Context recall\n\n"
        "Answer: (b).\n\nThanks for reading The Eval Gap! Subscribe for free to receive new "
        "posts and support my work.\n\nSubscribe\n\nQ2. Which reduce hallucinations?\n"
        "(a) Answer only from the context\n(b) Raise the temperature\n(c) Require citations\n\n"
        "I'd accept (a) and (c). Raising the temperature does the opposite.\n",
        name="substack.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A", "C"]]
    assert "Subscribe" not in str(result.bank.model_dump())


COPIED_COLUMN = """大模型推理部署面试题整理：我被问过的 10 个问题
AI搬砖日记
编辑于 2025年04月02日 21:37
没有选择题，都是面试官口头问的，下面是我当时的回答。
一、显存与 KV Cache
KV Cache 量化（FP8 / INT8）有什么收益和风险？
收益：显存减半，同样的显存能放下更多并发。
风险：长上下文任务上精度损失更明显。
KV Cache 不够用的时候，vLLM 是怎么处理的？
调度器会抢占一部分正在运行的请求，释放它们的 KV block。
二、吞吐与调度
为什么 decode 阶段增大 batch size 能提升吞吐？
decode 访存受限，加大 batch 让一次权重读取服务更多 token。
以上就是全部内容，有问题评论区见。
"""


def test_a_copied_column_whose_questions_lost_their_heading_marks() -> None:
    result = parse_article(COPIED_COLUMN, name="bilibili.txt", bank_id="t")
    first, _, third = result.bank.questions
    assert first.prompt.get("zh") == "KV Cache 量化（FP8 / INT8）有什么收益和风险？"
    assert first.reference.get("zh").endswith("风险：长上下文任务上精度损失更明显。")
    assert third.reference.get("zh").startswith("decode 访存受限")
    quiz = "Which stage comes first?\n▲ Supervised fine-tuning\n✓\n◆ Reward model\n✗\n" * 3
    with pytest.raises(LlmiqError):  # a quiz's unlettered choices are no answers
        parse_article(quiz, name="kahoot.txt", bank_id="t")


def test_a_question_banks_credits_stats_promotion_remarks_and_notes_to_self_go() -> None:
    """Lines around the questions that are none of theirs: a repository's "> 贡献者：@lynn",
    a site's "本题正确率：71%　易错项：C", its "👉 本题库已收录…真题" promotion, a grader's
    "批阅意见：…" and the author's "待整理：…"."""
    result = parse_article(
        "### 1. LoRA 训练哪些参数？\n\nA. W₀\nB. A 和 B\n\n答案：B\n\n> 贡献者：@lynn (#63)\n\n"
        "本题正确率：71%　易错项：A\n\n"
        "👉 本题库已收录大厂 2025 大模型面试真题，点击进入真题专区\n\n"
        "### 2. 为什么 B 初始化为 0？\n\n参考答案：让起点就是原模型。\n\n"
        "批阅意见：要点都有，扣 2 分。\n\n待整理：投机解码那几题放到推理笔记里\n\n"
        "### 3. r 越大越好吗？\n\n参考答案：不一定。\n",
        name="bank.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q1", "q2", "q3"]
    dumped = str(result.bank.model_dump())
    for aside in ("贡献者", "易错项", "已收录", "批阅意见", "待整理"):
        assert aside not in dumped


def test_bare_option_lines_named_by_the_answers_key_and_whole_text() -> None:
    """A copied MCQ page whose options were lettered by its style sheet: the copy keeps bare
    lines, and "(c) Quadratically" names the third by its letter and its text, even when an
    option is too long to pass for a short line."""
    long = "It lets the model attend to several representation subspaces at different positions"
    result = parse_article(
        "10) How does the compute of self-attention grow with sequence length n?\n"
        "Logarithmically\nLinearly\nQuadratically\nExponentially\nShow Answer Workspace\n"
        "**Answer:** (c) Quadratically\n**Explanation:** Every token meets every other.\n"
        "11) What is the main benefit of multi-head attention?\n"
        f"{long}\nIt removes positions\nShow Answer Workspace\n"
        f"**Answer:** (a) {long}\n**Explanation:** Each head has its own projections.\n",
        name="mcq.txt",
        bank_id="t",
    )
    first, second = result.bank.questions
    assert [o.text.en for o in first.options] == [
        "Logarithmically",
        "Linearly",
        "Quadratically",
        "Exponentially",
    ]
    assert first.answer == ["C"]
    assert second.options[0].text.en == long
    assert second.answer == ["A"]
    assert second.prompt.en == "What is the main benefit of multi-head attention?"


def test_long_lines_under_a_question_an_answer_quotes_are_its_setting_not_options() -> None:
    first = "Suppose the retriever returns twenty chunks and only the top five fit into the prompt."
    second = "Assume the reranker is a cross-encoder that scores every chunk against the query."
    result = parse_article(
        f"1. How would you pick the chunks?\n{first}\n{second}\n"
        "Answer: only the top five fit into the prompt, so rerank first.\n",
        name="notes.md",
        bank_id="t",
    )
    (question,) = result.bank.questions
    assert question.kind.value == "open"
    assert question.prompt.en.endswith(second)
