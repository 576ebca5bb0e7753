"""Answer keys collected after the questions: the key table, the open questions' answers in a
section of their own after it, and keys given as an option's number."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmiq.ingest import parse_article
from llmiq.ingest.result import ImportResult, fold_notes

FIXTURES = Path(__file__).parents[1] / "fixtures"

_QUESTIONS = (
    "# Scaling quiz\n\n**1.** Roughly how many tokens per parameter is compute-optimal?\n"
    "(A) about 1\n(B) about 5\n(C) about 20\n(D) about 200\n\n"
    "**2.** Training compute of a dense Transformer is about:\n(A) 2ND\n(B) 6ND\n\n"
    "## Part 3 — talk me through it\n\n**3.** How would you predict a 70B run's loss?\n\n"
    "**4.** How much memory do model states take per GPU under ZeRO?\n\n---\n\n"
)


def _parse(key: str) -> ImportResult:
    return parse_article(_QUESTIONS + key, name="quiz.md", bank_id="t")


def test_open_answers_under_a_heading_that_names_them_after_the_key() -> None:
    result = _parse(
        "## Answer key\n\n| Q | Answer |\n| --- | --- |\n| 1 | C |\n| 2 | B |\n\n"
        "### Discussion answers (3 and 4)\n\n**3.** Fit power laws on a ladder of small runs.\n\n"
        "**4.** About 16 bytes per parameter: ZeRO-2 needs 3.75 bytes/param ≈ 26 GB and "
        "ZeRO-3 2 bytes/param ≈ 14 GB.\n\nSpotted a mistake? Leave a comment.\n"
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q1", "q2", "q3", "q4"]
    assert questions[2].reference.en == "Fit power laws on a ladder of small runs."
    # "26 GB" and "14 GB" in a sentence are no keys of questions 26 and 14
    assert questions[3].reference.en.endswith("ZeRO-3 2 bytes/param ≈ 14 GB.")


def test_a_key_that_gives_an_options_number_in_other_words_is_matched_and_noted() -> None:
    result = _parse(
        "## Answer key\n\n| Q | Answer |\n| --- | --- |\n| 1 | ≈20 tokens per parameter |\n"
        "| 2 | B |\n"
    )
    assert [q.answer for q in result.bank.questions[:2]] == [["C"], ["B"]]
    assert any("which gives the same number" in line for line in fold_notes(result.notes))


def test_a_key_whose_number_no_single_option_gives_is_not_guessed() -> None:
    result = _parse(
        "## Answer key\n\n| Q | Answer |\n| --- | --- |\n| 1 | 20 or 200 tokens |\n| 2 | B |\n"
    )
    assert [q.id for q in result.bank.questions] == ["q2"]


def test_a_counter_before_the_prompt_numbers_it_and_a_clap_plea_ends_the_article() -> None:
    result = parse_article(
        "16/24 Which can be computed without a reference answer?\n(a) LLM judge\n(b) BLEU\n"
        "Answer: (a)\n\n17/24 Why does 3/4 of the eval move?\nAnswer: the set is stale.\n\n"
        "If you got value from this, clap up to 50 times.\n",
        name="medium.txt",
        bank_id="t",
    )
    assert [q.id for q in result.bank.questions] == ["q16", "q17"]
    assert result.bank.questions[0].prompt.en == "Which can be computed without a reference answer?"
    assert result.bank.questions[1].reference.en == "the set is stale."
    assert "clap" not in str(result.bank.model_dump())


def test_a_key_line_in_full_width_columns_with_an_options_text_for_a_key() -> None:
    result = parse_article(
        "1. 缩放因子是？\nA. d\nB. √d_k\n\n"
        "2. 被 mask 的位置填充为？\nA. 0\nB. 负无穷（或很大的负数）\n\n"
        "3. 哪些是相对位置编码？\nA. RoPE\nB. ALiBi\nC. 绝对编码\n\n"
        "✅ 选择题答案：\n1.B　2.负无穷　3.AB\n",
        name="xhs.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["B"], ["A", "B"]]


def test_a_highlighted_answer_line_is_an_answer_line() -> None:
    result = parse_article(
        "### Q4. HyDE\nWhat is HyDE?\n- A) Hybrid dense encoding\n- B) Embedding a hypothetical "
        "answer\n\n==Ans: B== — the fake answer lands near real answers.\n",
        name="vault.md",
        bank_id="t",
    )
    question = result.bank.questions[0]
    assert question.answer == ["B"]
    assert "==" not in str(question.model_dump())


def test_a_homework_pages_numbered_points_remark_and_discussion() -> None:
    result = parse_article(
        "8. (简答题)简述 RLHF 的三个阶段。\n我的答案：\n第一步 SFT，第二步 RM。\n正确答案：\n"
        "（1）监督微调：示范数据；\n（2）奖励模型训练：排序损失；\n（3）强化学习：PPO。\n7分\n"
        "教师评语：第三步没提 KL 惩罚，扣分。\n\n"
        "9. (简答题)DPO 为什么 chosen 概率下降？\n我的答案：\n（未作答）\n"
        "正确答案：\n只约束差值。\n"
        "0分\n\n课程讨论（3）\n同学A：第 2 题 A 不是也对吗？\n",
        name="xuexitong.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q8", "q9"]
    assert questions[0].reference.zh.splitlines() == [
        "（1）监督微调：示范数据；", "（2）奖励模型训练：排序损失；", "（3）强化学习：PPO。"
    ]  # fmt: skip
    dumped = str(result.bank.model_dump())
    assert "教师评语" not in dumped
    assert "同学A" not in dumped


def test_a_key_table_laid_out_in_two_rows_after_dots_that_say_scroll_down() -> None:
    result = parse_article(
        "**1. INT8 权重占的显存约为 FP16 的（　）**\n\nA. 1/4\nB. 1/2\n\n"
        "**2. W4A16 在哪种场景加速最明显？（　）**\n\n"
        "A. 大 batch 的 prefill\nB. 小 batch 的 decode 阶段\n\n"
        "**3. KV Cache 量化有什么风险？**\n\n---\n\n.\n\n.\n\n## 参考答案\n\n"
        "| 题号 | 1 | 2 |\n| --- | --- | --- |\n| 答案 | B | 小 batch 的 decode 阶段 |\n\n"
        "**部分解析：**\n\n- 第 1 题：8 bit 是 16 bit 的一半。\n\n"
        "**第 3 题参考：** 误差会沿序列累积。\n",
        name="juejin.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["B"], ["B"]]
    assert questions[2].reference.zh == "误差会沿序列累积。"


def test_a_key_table_folded_in_a_details_box_under_its_heading() -> None:
    result = parse_article(
        "**7.** With sliding windows of size W over L layers, how far back can information go?\n\n"
        "- (a) W tokens\n- (b) L × W tokens\n\n**8.** Why keep attention sinks?\n\n"
        "**9.** Why does a needle test not prove long-context reasoning?\n\n---\n\n"
        "## Answer key\n\n<details>\n<summary><b>Show the answer key</b></summary>\n\n"
        "| Q | Answer |\n|:-:|:------:|\n| 6 | a |\n| 7 | L × W |\n\n</details>\n\n"
        "## Discussion answers\n\n**8.** Softmax must put its mass somewhere.\n\n"
        "**9.** A needle tests retrieval of one fact only.\n",
        name="README.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q7", "q8", "q9"]
    assert questions[0].answer == ["B"]
    assert questions[1].reference.en == "Softmax must put its mass somewhere."
    assert questions[2].reference.en == "A needle tests retrieval of one fact only."


def test_a_forum_threads_answer_post_keys_the_questions_and_the_replies_stay_out() -> None:
    result = parse_article(
        "**1.** What does a cross-encoder take?\n(a) the query only\n(b) query and passage\n\n"
        "**2.** Good reasons to chunk? (more than one)\n(a) length limits\n(b) topics blur\n"
        "(c) smaller index\n(d) room in context\n\n**3.** How would you evaluate retrieval?\n\n"
        "nadia_k April 2, 2025, 8:12pm 3\n\nAnswers, as promised:\n\n"
        "**1** is (b), nothing else comes close.\n\n**2**: (a), (b) and (d). (c) is backwards.\n\n"
        "**3**, what I'd want to hear: score the retriever alone with Recall@k.\n\n9 Likes\n\n"
        "j.okafor April 2, 2025, 10:03pm 4\n\nPlaying devil's advocate: isn't (a) fine?\n",
        name="thread.html.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["B"], ["A", "B", "D"]]
    assert "Recall@k" in questions[2].reference.en
    assert "devil" not in str(result.bank.model_dump())


def test_a_range_of_keys_spaced_apart_answers_each_question() -> None:
    questions = "".join(f"{n}．第 {n} 题？（ ）\nA．甲\nB．乙\nC．丙\n\n" for n in range(1, 4))
    result = parse_article(
        questions + "参考答案及评分标准\n\n一、单项选择题\n1～3　B C A\n",
        name="mock.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["C"], ["A"]]


def test_a_key_under_a_numbered_part_heading_with_a_range_and_pairs() -> None:
    questions = "".join(f"**{n}、** 第 {n} 题？\n\nA. 甲\nB. 乙\nC. 丙\n\n" for n in range(1, 6))
    result = parse_article(
        "## 一、单选题\n\n" + questions + "## 四、参考答案\n\n**一、单选：1-3　C A B**\n\n"
        "**二、多选：4. AB　5. BC**\n",
        name="csdn.md",
        bank_id="t",
    )
    answers = [q.answer for q in result.bank.questions]
    assert answers == [["C"], ["A"], ["B"], ["A", "B"], ["B", "C"]]


def test_a_key_line_listing_letters_and_text_then_its_reasons_by_number() -> None:
    result = parse_article(
        "1. What does a bi-encoder encode?\na) both together\nb) each side apart\n\n"
        "2. Which index is exact?\na) HNSW\nb) IVF\nc) flat\n\n"
        "3. Which merges two ranked lists?\na) Reciprocal Rank Fusion\nb) BM25\n\n"
        "4. Why add a reranker?\n\nAnswer key\n1-b, 2-c, 3-Reciprocal Rank Fusion\n\nWhy\n"
        "1. A bi-encoder embeds each side independently.\n2. A flat index compares every vector.\n"
        "\nBonus answers\n4. It reorders the top candidates jointly.\n",
        name="blog.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:3]] == [["B"], ["C"], ["A"]]
    assert questions[0].explanation.en == "A bi-encoder embeds each side independently."
    assert questions[3].reference.en == "It reorders the top candidates jointly."


def test_numbered_reasons_right_under_a_key_line_do_not_replace_its_keys() -> None:
    result = parse_article(
        "1. What does a bi-encoder encode?\na) both together\nb) each side apart\n\n"
        "2. Which index is exact?\na) HNSW\nb) IVF\nc) flat\n\n"
        "Answer key\n1-b, 2-c\n"
        "1. A bi-encoder embeds each side independently.\n2. A flat index compares every vector.\n",
        name="blog.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["C"]]


def test_middle_dot_numbered_headings_and_what_id_hope_to_hear_after_the_key() -> None:
    result = parse_article(
        "### 1 · Chunk overlap\n\nWhy overlap chunks?\n\n"
        "* (a) to cut storage\n* (b) to keep context\n\n"
        "### 2 · Indexes\n\nWhich index is exact?\n\n* (a) flat\n* (b) HNSW\n\n"
        "### 3 · Discussion\n\nHow would you evaluate RAG?\n\nDone? Scroll for the key.\n\n"
        "## Answer key\n\n| # | Answer |\n|---|---|\n| 1 | b |\n| 2 | a |\n\n"
        "## What I'd hope to hear\n\n**3.** Split retrieval from generation.\n",
        name="post.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.id for q in questions] == ["q1", "q2", "q3"]
    assert [q.answer for q in questions[:2]] == [["B"], ["A"]]
    assert questions[2].reference.en == "Split retrieval from generation."


def test_open_answers_each_headed_by_its_number_right_after_the_key_table() -> None:
    result = parse_article(
        "## 单选题\n\n**1. 对称 INT8 量化的零点是？**\n\nA. 0\nB. 128\n\n"
        "**2. W4A16 中的 W 指？**\n\nA. 权重\nB. 激活\n\n## 简答题\n\n"
        "**3. 为什么 KV Cache 量化能提升吞吐？**\n\n**4. PTQ 和 QAT 有什么区别？**\n\n"
        "· · · 做完了再往下翻 · · ·\n\n---\n\n做完了吗？下面是答案 👇\n\n## 参考答案\n\n"
        "| 题号 | 答案 |\n| --- | --- |\n| 1 | A |\n| 2 | A |\n\n"
        "**3. 参考答案：** 同样的显存能放下 2～4 倍的 token。\n\n**4. 参考答案：**\n\n"
        "1. PTQ：训练后用校准数据量化。\n2. QAT：训练时模拟量化误差。\n\n---\n\n"
        "以上答案如有错误，欢迎评论区指正～下一篇写 vLLM 调度器\n",
        name="juejin.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [(q.id, q.answer) for q in questions[:2]] == [("q1", ["A"]), ("q2", ["A"])]
    assert [q.reference.zh for q in questions[2:]] == [
        "同样的显存能放下 2～4 倍的 token。",
        "1. PTQ：训练后用校准数据量化。\n2. QAT：训练时模拟量化误差。",
    ]


def test_an_authors_sign_off_ends_the_last_headed_answer() -> None:
    result = parse_article(
        "1. 哪个对？\nA. 甲\nB. 乙\n\n2. 哪个错？\nA. 甲\nB. 乙\n\n3. 为什么要量化？\n\n"
        "参考答案：1.B 2.A\n\n3. 参考答案：省显存、加速访存。\n\n"
        "以上答案如有错误，欢迎评论区指正～\n",
        name="notes.txt",
        bank_id="t",
    )
    assert result.bank.questions[2].reference.zh == "省显存、加速访存。"


def test_a_key_line_led_by_its_parts_number() -> None:
    result = parse_article(
        "一、单项选择题\n1．哪个对？\nA．甲　　B．乙\n2．哪个错？\nA．甲　　B．乙\n"
        "二、多项选择题\n3．哪些对？\nA．甲　　B．乙　　C．丙\n"
        "4．哪些错？\nA．甲　　B．乙　　C．丙\n\n"
        "参考答案\n一、1．B　2．A\n二、3．AC　4．AB\n",
        name="wenku.txt",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [
        ("q1", ["B"]),
        ("q2", ["A"]),
        ("q3", ["A", "C"]),
        ("q4", ["A", "B"]),
    ]


def test_a_books_review_questions_keyed_in_its_appendix() -> None:
    result = parse_article(
        "Review Questions\n\n1. What does DPO optimize directly?\n"
        "   a. The reward model\n   b. The policy, on pairs of preferred and rejected\n"
        "      responses\n   c. The value model\n\n"
        "2. Which are stages of InstructGPT? (Select all that apply.)\n   a. SFT\n"
        "   b. A reward model\n   c. Pruning\n\n3. Explain reward hacking.\n\n"
        "Appendix B: Answers to Review Questions\n\nChapter 9\n\n1. b\n"
        "2. a, b   (the third is not a stage)\n"
        "3. Answers will vary. The policy games the reward.\n",
        name="book.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["B"], ["A", "B"]]
    assert questions[0].options[1].text.en.endswith("rejected responses")
    assert questions[2].reference.en == "Answers will vary. The policy games the reward."


def test_a_key_label_that_asks_to_try_first_is_still_the_keys_label() -> None:
    result = parse_article(
        "1. 零点是多少？\nA. 0\nB. 1\n\n2. GPTQ 用的是？\nA. 一阶信息\nB. 二阶信息\n\n"
        "—— 分割线，先别往下翻 ——\n\n参考答案（先做再看哦）\n1.A　2.B\n",
        name="baijiahao.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["A"], ["B"]]


def test_a_course_pages_solutions_table_by_problem_then_each_model_solution() -> None:
    result = parse_article(
        "## Multiple choice\n\n### Problem 1\n\nHow many tokens per parameter are optimal?\n\n"
        "- (a) 2\n- (b) 20\n\n### Problem 2\n\nWhich are partitioned by ZeRO stage 2?\n\n"
        "- (a) Optimizer states\n- (b) Gradients\n- (c) Activations\n\n## Short answer\n\n"
        "### Problem 3\n\nWhy warm the learning rate up?\n\n---\n\n## Solutions\n\n"
        "| Problem | Answer | Notes |\n|:--|:--|:--|\n| 1 | (b) | Chinchilla. |\n"
        "| 2 | (a), (b) | Stage 3 adds parameters. |\n\n### Problem 3 — model solution\n\n"
        "Adam's second moments are noisy at first.\n\n---\n\n[← Week 6](../week-06/)\n",
        name="practice.md",
        bank_id="t",
    )
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["A", "B"])
    assert third.reference.en == "Adam's second moments are noisy at first."


def test_an_exam_papers_key_table_then_its_other_parts_under_their_headings() -> None:
    result = parse_article(
        "# 岗前测评\n\n**注意事项：**\n\n1. 选择题答案填在括号内。\n"
        "2. 参考答案附在最后，请先独立完成。\n\n## 一、单项选择题\n\n"
        "1\\. 除以 √d_k 的目的是（　　）\n\nA. 减少计算\n\nB. 防止 softmax 饱和\n\n"
        "2\\. BPE 每轮合并的是（　　）\n\nA. 最高频的相邻符号对\n\nB. 随机字符\n\n"
        "## 二、多项选择题\n\n3\\. 哪些能降低幻觉？（　　）\n\n"
        "A. 引用来源\n\nB. 调高温度\n\nC. 重排\n\n"
        "## 三、简答题\n\n4\\. 为什么只缓存 K 和 V？\n\n---\n\n## 参考答案及评分标准\n\n"
        "### 一、单项选择题\n\n| 题号 | 1 | 2 |\n| --- | --- | --- |\n| 答案 | B | A |\n\n"
        "### 二、多项选择题\n\n3\\. AC\n\n### 三、简答题\n\n4\\. 答题要点：\n\n"
        "- 历史 token 的 Q 之后不会再用到。\n",
        name="shimo.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:3]] == [["B"], ["A"], ["A", "C"]]
    assert questions[3].reference.zh == "- 历史 token 的 Q 之后不会再用到。"
    assert "请先独立完成" not in str(result.bank.model_dump())


def test_a_communitys_answers_post_after_the_comments_keys_the_quiz() -> None:
    result = parse_article(
        "Week 9 quiz: agents (answers on Friday)\n\n1. What does a ReAct step produce?\n"
        "(a) Only the final answer\n(b) A thought and an action\n\n"
        "2. Which are MCP primitives? (choose all that apply)\n(a) Tools\n(b) Resources\n"
        "(c) Prompts\n(d) Embeddings\n\n3. When would you pick Plan-and-Execute over ReAct?\n\n"
        "Like\n14 likes\n9 comments\n\nMarco D.\n1b 2abc — 3 is a vibe question\n\n"
        "Week 9 quiz — answers\n\nPriya Raman\nHost\nOct 24\n\n"
        "Here are the answers to Tuesday's quiz. Thanks to everyone who played!\n\n"
        "1. (b). ReAct interleaves a thought and an action.\n"
        "2. Everything except (d). Embeddings are not an MCP primitive.\n"
        "3. When the task's structure is predictable and cheaper execution matters.\n",
        name="circle.txt",
        bank_id="t",
    )
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["A", "B", "C"])
    assert third.reference.en.startswith("When the task's structure is predictable")


def test_a_group_posts_answers_in_the_authors_later_reply_in_prose() -> None:
    result = parse_article(
        "【周测打卡】量化专题\n\n1.（单选）INT8 对称量化的零点是？\nA. 0\nB. 127\n\n"
        "2.（多选）哪些属于仅权重量化？\nA. GPTQ\nB. AWQ\nC. SmoothQuant\nD. NF4\n\n"
        "3.（多选）关于 GPTQ，正确的有？\nA. 利用二阶信息\nB. 需要校准数据\n"
        "C. 必须 QAT\nD. 常用于 4 bit\n\n"
        "豆友1792  2025-10-20 22:01:40 上海\n打卡：1A 2ABCD 3ABD\n\n"
        "晚风  楼主  2025-10-22 20:15:43 北京\n答案来了！对一下：\n"
        "1 选 A，零点固定是 0。\n2 除了 C 都对，SmoothQuant 是 W8A8。\n"
        "3 前两个加上 D。C 是错的。\n",
        name="douban.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["A"], ["A", "B", "D"], ["A", "B", "D"]]
    assert result.notes  # keys read from prose are noted


def test_open_answers_under_a_heading_of_any_wording_after_the_key() -> None:
    result = _parse(
        "#### Reveal the answer key\n\n| Q | Answer | Why |\n| --- | --- | --- |\n"
        "| 1 | C | Chinchilla. |\n| 2 | B | Forward plus backward. |\n\n"
        "**What I look for**\n\n**3.** Fit power laws on a ladder of small runs.\n\n"
        "**4.** About 16 bytes per parameter before partitioning.\n\nGood luck!\n"
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["C"], ["B"]]
    assert questions[2].reference.en == "Fit power laws on a ladder of small runs."
    assert questions[3].reference.en == "About 16 bytes per parameter before partitioning."


def test_numbered_lines_after_a_key_are_questions_when_none_was_asked_above() -> None:
    result = parse_article(
        "1. Training compute is about?\n(A) 2ND\n(B) 6ND\n\n2. Optimal tokens per parameter?\n"
        "(A) 20\n(B) 200\n\nAnswer key\n\n| Q | Answer |\n| --- | --- |\n| 1 | B |\n| 2 | A |\n\n"
        "## Part 2\n\n3. Which stage of ZeRO partitions parameters?\n(A) 1\n(B) 3\n"
        "Answer: B\n",
        name="quiz.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"], ["B"]]


def test_the_authors_comment_gives_the_key_and_the_open_answers() -> None:
    result = parse_article(
        "【RLHF 专题】答案统一在评论区\n\n1、PPO 训练时需要加载哪些模型？（多选）\n"
        "A. 策略模型\nB. 参考模型\nC. 奖励模型\n\n2、DPO 和 PPO 最大的区别是？\n"
        "A. 不需要偏好数据\nB. 不需要显式训练奖励模型\n\n"
        "3、什么是 RLVR？\n\n评论（2）\n\n小周同学：1 AB　2 A\n2024-09-26 22:31\n\n"
        "老K（星主）：讲评来了，选择题先说：\n第 1 题三个都要，这就是显存压力大的原因；\n"
        "第 2 题显然是 B，A 是 KTO 之类的说法。\n2024-09-28 21:40\n\n"
        "老K（星主）：简答题参考答案——\n3：用可以程序化验证的结果当奖励。\n2024-09-28 21:52\n",
        name="zsxq.txt",
        bank_id="t",
    )
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["A", "B", "C"], ["B"])
    assert third.reference.zh == "用可以程序化验证的结果当奖励。"


def test_piazzas_instructors_answer_under_a_post_of_questions_keys_them() -> None:
    result = parse_article(
        "note @214\nMidterm practice (3 questions)\n\n1. Goodhart's law says that:\n"
        "(a) larger models score higher\n(b) a target stops being a good measure\n\n"
        "2. Which are LLM-judge biases? (select all that apply)\n(a) Position bias\n"
        "(b) Exact match\n(c) Self-preference\n\n3. Why is Chatbot Arena hard to contaminate?\n\n"
        "midterm\nedit · good note 14 · 3 days ago by Prof. Elena Lin\n\n"
        "the instructors' answer, where instructors collectively construct a single answer\n"
        "Q1: (b). This is why we rotate benchmarks.\nQ2: (a) and (c). (b) is false.\n"
        "Q3: The prompts are written live by users.\n~ An instructor endorsed this answer ~\n",
        name="piazza.txt",
        bank_id="t",
    )
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["A", "C"])
    assert third.reference.en == "The prompts are written live by users."


def test_a_key_in_a_code_block_then_notes_on_it_then_the_open_answers() -> None:
    result = _parse(
        "Don't scroll further until you're done! 🙈\n\n---\n\n## Answer key\n\n```text\n"
        '1 → C      2 → "6ND"\n```\n\nA few notes:\n\n- **1:** Chinchilla.\n'
        "- **2:** forward plus backward.\n\n### My answers to Part 3\n\n"
        "**3.** Fit power laws on small runs.\n\n**4.** About 16 bytes per parameter.\n"
    )
    first, second, third, fourth = result.bank.questions
    assert (first.answer, second.answer) == (["C"], ["B"])
    assert first.explanation.en == "Chinchilla."
    assert third.reference.en == "Fit power laws on small runs."
    assert fourth.reference.en == "About 16 bytes per parameter."
    assert "scroll" not in str(result.bank.model_dump())


def test_a_keys_part_with_each_key_in_brackets_after_its_number() -> None:
    result = parse_article(
        "▍单选题\n\n1. Mixtral 每层激活几个专家？\nA. 1\nB. 2\n\n2. GQA 共享的是？\nA. KV\nB. Q\n\n"
        "▍多选题\n\n3. 哪些方法能扩展 RoPE 的上下文？\nA. 位置插值\nB. NTK-aware\nC. 增大词表\n"
        "D. YaRN\n\n4. MoE 推理部署，正确的有？\nA. 要放下全部专家\nB. 计算量看激活参数\n"
        "C. 计算量看总参数\n\n▍参考答案\n\n单选：1-2　BA\n多选：3（ABD）　4（AB）\n",
        name="wechat.txt",
        bank_id="t",
    )
    answers = [q.answer for q in result.bank.questions]
    assert answers == [["B"], ["A"], ["A", "B", "D"], ["A", "B"]]


@pytest.mark.parametrize(
    ("single", "multiple"),
    [
        ("**一、单选：**1.B 2.A", "**二、多选：**3.ABD 4.AB"),
        ("__单选：__1.B 2.A", "__多选：__3.ABD 4.AB"),
        ("**一、单选：**1.B 2.A", "**二、多选：**3.ABD\n\n**4.AB**"),
    ],
)
def test_a_keys_line_glued_to_its_bold_label(single: str, multiple: str) -> None:
    result = parse_article(
        "## 一、单选题\n\n1、Mixtral 每层激活几个专家（ ）\nA. 1\nB. 2\n\n"
        "2、GQA 共享的是（ ）\nA. KV\nB. Q\n\n"
        "## 二、多选题\n\n3、哪些方法能扩展 RoPE 的上下文（ ）\nA. 位置插值\nB. NTK-aware\n"
        "C. 增大词表\nD. YaRN\n\n4、MoE 推理部署，正确的有（ ）\nA. 要放下全部专家\n"
        f"B. 计算量看激活参数\nC. 计算量看总参数\n\n## 参考答案\n\n{single}\n\n{multiple}\n",
        name="jianshu.md",
        bank_id="t",
    )
    answers = [q.answer for q in result.bank.questions]
    assert answers == [["B"], ["A"], ["A", "B", "D"], ["A", "B"]]


@pytest.mark.parametrize(
    "head",
    ["### Model answer for 3", "**3. 参考答案：**", "#### Answer to Q3", "### Q3 model answer"],
)
def test_an_open_answer_under_its_own_heading_right_after_the_keys(head: str) -> None:
    result = parse_article(
        "1\\. Which is it?\n\nA. x\nB. y\n\n2\\. Which one?\n\nA. x\nB. y\n\n3\\. Why is it?\n\n"
        f"## Answer key\n\n1. B\n2. A\n\n{head}\n\nBecause of z.\n\nMore on z.\n\n---\n\n"
        "Share this post\n",
        name="substack.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions[:2]] == [["B"], ["A"]]
    assert result.bank.questions[2].reference.en == "Because of z.\n\nMore on z."


def test_an_answer_on_its_heading_line_after_the_keys_ends_before_the_conclusion() -> None:
    """An "Answer to Q9: …" line carries its answer: the page's conclusion and its course table
    after it are not part of it, as they would be under a heading alone on its line."""
    page = FIXTURES / "held_out_42" / "answer-key_en_intellipaat-copy-embeddings-rag.txt"
    result = parse_article(page.read_text("utf-8"), name=page.name, bank_id="t")
    last = result.bank.questions[-1]
    assert last.reference.en.startswith("Attach metadata such as version")
    assert last.reference.en.endswith("helps users spot the problem too.")


def test_a_numbered_answer_in_a_folded_box_under_its_question_is_no_key() -> None:
    toggle = "{%% hideToggle 点击查看答案 %%}\n%s\n{%% endhideToggle %%}\n\n"
    choice = "A. 贪心\nB. 束搜索\nC. top-p\n\n"
    result = parse_article(
        "### 1. 哪种解码最容易重复？\n\n"
        + choice
        + toggle % "答案：B"
        + "### 2. 哪种解码会截断长尾？\n\n"
        + choice
        + toggle % "答案：C"
        + "### 3. 哪种解码是确定性的？\n\n"
        + choice
        + toggle % "答案：A"
        + "### 4. 为什么 temperature 设为 0 输出也不一定确定？\n\n"
        + toggle
        % "参考答案：\n\n1. 浮点加法不满足结合律；\n2. batch 组成会变；\n3. argmax 会翻转。",
        name="butterfly.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions[:3]] == [["B"], ["C"], ["A"]]
    assert result.bank.questions[3].reference.zh.startswith("1. 浮点加法不满足结合律；\n2.")


def test_slides_key_with_plus_signs_then_a_discussion_line_over_the_open_answers() -> None:
    result = _parse(
        "Answer key\n1 → C\n2 → A + B\n\n\nDiscussion: what we'd listen for\n"
        "Q3 — Fit power laws on small runs.\nQ4 — About 16 bytes per parameter.\n\n\nThanks!\n"
    )
    first, second, third, fourth = result.bank.questions
    assert (first.answer, second.answer) == (["C"], ["A", "B"])
    assert third.reference.en == "Fit power laws on small runs."
    assert fourth.reference.en == "About 16 bytes per parameter."


def test_the_keys_label_over_a_part_heading_over_its_grid_belongs_to_the_key() -> None:
    result = parse_article(
        "1．GQA 共享的是？\nA．KV\nB．Q\n\n2．MoE 激活几个专家？\nA．1\nB．2\n\n"
        "3．简述 RAG 与微调各自适用的场景。\n\n参考答案\n一、单项选择题\n题号\t1\t2\n答案\tA\tB\n"
        "三、简答题\n3．答：RAG 适合知识频繁更新的场景。\n",
        name="wenku.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["A"], ["B"]]
    assert questions[2].reference.zh == "RAG 适合知识频繁更新的场景。"


def test_a_slide_decks_key_numbered_in_keycap_emoji_then_the_open_answers() -> None:
    result = _parse(
        "## ✅ 参考答案\n\n1️⃣ C　2️⃣ A B\n\n---\n\n## 3～4 参考要点\n\n"
        "**3.** Fit power laws on small runs.\n\n**4.** About 16 bytes per parameter.\n"
    )
    first, second, third, fourth = result.bank.questions
    assert (first.answer, second.answer) == (["C"], ["A", "B"])
    assert third.reference.en == "Fit power laws on small runs."
    assert fourth.reference.en == "About 16 bytes per parameter."


def test_a_note_on_the_keys_between_the_key_table_and_the_open_answers() -> None:
    result = _parse(
        "## Answer key\n\n| Q | Answer |\n| --- | --- |\n| 1 | C |\n| 2 | B |\n"
        "Notes: for Q1 the Chinchilla ratio is about 20 tokens per parameter.\n\n"
        "### Short-answer notes\n\n**3.** Fit power laws on small runs.\n\n"
        "**4.** About 16 bytes per parameter.\n"
    )
    first, second, third, fourth = result.bank.questions
    assert (first.answer, second.answer) == (["C"], ["B"])
    assert third.reference.en == "Fit power laws on small runs."
    assert "Chinchilla ratio" not in fourth.reference.en


def test_a_key_table_copied_with_tabs_under_its_column_names() -> None:
    questions = "1. Which?\nA. x\nB. y\n\n2. Which next?\nA. x\nB. y\nC. z\n\n"
    key = "Answer Sheet\n\nQuestion Number\tAnswer Key\n1\tB\n2\tC\n"
    result = parse_article(questions + key, name="mock.txt", bank_id="t")
    assert [q.answer for q in result.bank.questions] == [["B"], ["C"]]


def test_a_key_range_with_a_multiple_answers_letters_written_together() -> None:
    result = parse_article(
        "1. 缩放因子是？\nA. d\nB. √d_k\n\n"
        "2. 哪些是相对位置编码？\nA. RoPE\nB. ALiBi\nC. 绝对编码\n\n"
        "3. 哪些会增大显存？\nA. 更长上下文\nB. 更大 batch\nC. 更小词表\n\n"
        "参考答案：\n1-3：B AB AB\n",
        name="toutiao.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A", "B"], ["A", "B"]]


def test_a_leanpub_chapter_with_its_key_under_a_heading_with_an_id() -> None:
    result = parse_article(
        "{sample: true}\n# Chapter 6: LoRA {#ch-lora}\n\n{blurb, class: information}\n"
        "Try the exercises first.\n{/blurb}\n\n## Exercises {#ch-lora-exercises}\n\n"
        "1. Which parameters does LoRA train?\n\n    A. The biases\n    B. The low-rank A and B\n\n"
        "2. What does masking set labels to?\n\n    A. -100\n    B. 0\n\n{pagebreak}\n\n"
        "## Answers to Chapter 6 Exercises {#ch-lora-answers}\n\n1. B   2. A\n",
        name="chapter6.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A"]]
    assert result.bank.title.get("en") == "Chapter 6: LoRA"
    dumped = str(result.bank.model_dump())
    assert "pagebreak" not in dumped
    assert "sample: true" not in dumped


def test_a_key_in_columns_with_several_letters_and_an_options_text() -> None:
    result = parse_article(
        "1. Which measure the retriever alone? (select all that apply)\n(a) Recall@k\n(b) MRR\n"
        "(c) BLEU\n(d) nDCG\n\n2. Which fusion needs no score normalization?\n"
        "(a) Weighted sum\n(b) Reciprocal rank fusion\n\n3. What is the KV cache for?\n"
        "(a) Reusing past keys and values\n(b) Storing weights\n\n"
        "4. Where do you enforce per-team permissions in RAG?\n\n"
        "THE ANSWER KEY\n\n1 (a), (b), (d)   2 Reciprocal rank fusion   3 (a)\n\n"
        "A few notes on the ones people miss most:\n\n2. Ranks need no normalization.\n\n"
        "4. What we want to hear: at retrieval time, as a metadata filter.\n",
        name="quiz.txt",
        bank_id="t",
    )
    *choices, last = result.bank.questions
    assert [q.answer for q in choices] == [["A", "B", "D"], ["B"], ["A"]]
    assert (
        last.reference.get("en") == "What we want to hear: at retrieval time, as a metadata filter."
    )


def test_a_key_between_rules_after_answered_questions_is_no_explanation() -> None:
    result = parse_article(
        "1. 哪个是贪心？\nA. 随机采样\nB. 贪心解码\n答案：B\n"
        "2. top-p 是什么？\nA. 最小集合\nB. 前 90%\n答案：A\n"
        "3. 简述约束解码。\n参考答案：每步按语法屏蔽不合法的 token。\n"
        "—— 本周答案速查 ——\n1.B 2.A\n计分：每题 10 分。\n",
        name="quiz.txt",
        bank_id="t",
    )
    third = result.bank.questions[2]
    assert third.reference.get("zh") == "每步按语法屏蔽不合法的 token。"
    assert third.explanation is None


def test_a_bare_line_of_keys_after_a_rule_and_the_open_answers_under_their_numbers() -> None:
    result = parse_article(
        "**1. Decode at batch size 1 is…**\n\nA) compute-bound\nB) memory-bound\n\n"
        "**2. Why not cache queries?**\n\nA) Old queries are never used again\nB) They are big\n\n"
        "**3. PagedAttention is modelled on…**\n\nA) CPU caches\nB) virtual memory\n\n"
        "**4. Estimate the KV cache per token for Llama-3-70B.**\n\n---\n\n1-B, 2-A, 3-B\n\n"
        "1. Every step streams all the weights.\n2. Only the new token's query is needed.\n\n"
        "**4 — what I'm listening for:** 2 × 80 layers × 8 heads × 128 × 2 bytes = 320 KB.\n",
        name="substack.md",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions[:3]] == [["B"], ["A"], ["B"]]
    fourth = result.bank.questions[3]
    assert fourth.reference.get("en") == "2 × 80 layers × 8 heads × 128 × 2 bytes = 320 KB."


def test_a_sites_faq_after_the_key_is_no_question() -> None:
    result = parse_article(
        "Q1. How many tokens per parameter did Chinchilla find optimal?\n"
        "a) 2\nb) 20\nc) 200\nd) 2000\n\n"
        "Q2. What does ZeRO-3 shard?\na) Activations\nb) Parameters too\nc) Nothing\nd) Data\n\n"
        "Answer Key\n1 – b\n2 – b\n\nConclusion\nWe hope this helped.\n\n"
        "Frequently Asked Questions\nQ1. Who should take this quiz?\n"
        "A. Anyone preparing for machine learning or GenAI engineering interviews.\n\n"
        "Q2. Do I need a GPU cluster to learn about pretraining?\n"
        "A. No. You can learn the concepts with small models such as nanoGPT on a single GPU.\n",
        name="av.txt",
        bank_id="t",
    )
    assert [(q.id, q.answer) for q in result.bank.questions] == [("q1", ["B"]), ("q2", ["B"])]


def test_a_question_whose_text_opens_with_a_digit_and_open_ones_sent_to_the_explanations() -> None:
    result = parse_article(
        "1.7B 模型训练 2T token 约需多少 FLOPs？\nA.8.4 × 10²²\nB.8.4 × 10²³\n\n"
        "2.6ND 里面的“6”是怎么来的？\nA.前向 2 反向 4\nB.Adam 有 6 个状态\n\n"
        "3.什么是 MFU？\n\n4.为什么小模型要过度训练？\n\n答案：\n1-2：AA\n3、4 看解析\n\n解析：\n"
        "1.6 × 7×10⁹ × 2×10¹² = 8.4 × 10²²。\n2.前向每参数 2 FLOPs，反向约 4。\n"
        "3.MFU 是实际吞吐乘每 token FLOPs 除以峰值。\n4.推理成本和参数量成正比。\n",
        name="bilibili.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [(q.id, q.answer) for q in questions[:2]] == [("q1", ["A"]), ("q2", ["A"])]
    assert questions[2].reference.get("zh") == "MFU 是实际吞吐乘每 token FLOPs 除以峰值。"


def test_a_solutions_key_in_lowercase_letters_with_several_keys_in_parentheses() -> None:
    """A printed exam's "Solutions": columns of "1. (b)", and "2. (a), (c)" for a
    select-all question, with no word saying these are answers but the heading."""
    result = parse_article(
        "Practice midterm\n\n1. (2 points) Which is compute-optimal?\n(a) 1 token per "
        "parameter\n(b) 20 tokens per parameter\n(c) 200 tokens per parameter\n\n"
        "2. (2 points) Select all that apply: which shrink the KV cache?\n(a) GQA\n(b) a "
        "larger vocabulary\n(c) MQA\n\n3. (2 points) Which is FlashAttention's gain?\n(a) fewer "
        "FLOPs\n(b) less memory traffic\n\nSolutions\n\n1. (b)    2. (a), (c)    3. (b)\n",
        name="midterm.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [["B"], ["A", "C"], ["B"]]


_TEAM_BANK = (
    "算法组面试题库\n\n一、单选题\n\n1. PPL 与交叉熵的关系是：\nA. PPL = exp(交叉熵)\n"
    "B. PPL = log(交叉熵)\n\n"
    "2. pass@1 的无偏估计是：\nA. c/n\nB. 1 - c/n\n\n二、多选题\n\n3. 哪些能检测数据污染？\n"
    "A. n-gram 重叠\nB. 改写题对比\nC. 提高温度\n\n4. 哪些是越狱手法？\nA. 角色扮演\nB. 编码混淆\n"
    "C. 安全规范\n\n三、问答题\n\n5. 你会怎么设计离线评测？\n\n6. 怎么衡量幻觉？\n\n\n"
    "=========（以下为参考答案，发题前删除本页）=========\n\n参考答案\n\n"
    "单选\n题号\t1\t2\n答案\tA\tA\n\n多选\n题号\t3\t4\n答案\tAB\tAB\n\n"
    "部分说明：\n第 2 题：k = 1 时就是 c/n。\n第 3 题：C 只会增加随机性。\n\n"
    "问答题参考要点\n5. \n· 分层抽样，覆盖长尾意图；\n· 固定回归集，上线前跑一遍。\n6. \n"
    "· 拆成原子事实逐条核验；\n· RAG 要求引用。\n"
)


def test_a_team_banks_key_in_two_tabbed_grids_with_notes_and_open_answers_after_it() -> None:
    """A key copied from an online doc's tables: each part's "题号" row over its "答案" row,
    cells parted by tabs; then "部分说明：" with notes by number, and the open questions'
    points, each under its number alone on a line."""
    result = parse_article(_TEAM_BANK, name="bank.txt", bank_id="t")
    questions = result.bank.questions
    assert [q.answer for q in questions[:4]] == [["A"], ["A"], ["A", "B"], ["A", "B"]]
    assert questions[1].explanation.zh == "k = 1 时就是 c/n。"
    assert questions[2].explanation.zh == "C 只会增加随机性。"
    assert [q.reference.zh.split("；")[0] for q in questions[4:]] == [
        "· 分层抽样，覆盖长尾意图",
        "· 拆成原子事实逐条核验",
    ]


def test_a_numbered_answer_under_a_question_is_no_key_to_the_parts_headings() -> None:
    """ "一、解码策略" and "二、分词器" head the article's parts; they ask no questions 1 and 2,
    so the list "1. … 2. … 3. …" under "参考答案：" is question 29's answer, not a key."""
    result = parse_article(
        "一、解码策略\n\n第28题\n贪心解码有什么问题？\n\n参考答案：容易重复。\n\n二、分词器\n\n"
        "第29题\n扩充中文词表要做哪些事？\n\n参考答案：\n1. 训练中文分词器并合并词表；\n"
        "2. 扩大 embedding 和 lm_head；\n3. 继续预训练。\n\n第30题\nBPE 和 Unigram 的区别？\n\n"
        "参考答案：一个合并，一个剪枝。\n",
        name="jianshu.txt",
        bank_id="t",
    )
    assert [q.id for q in result.bank.questions] == ["q28", "q29", "q30"]
    assert result.bank.questions[1].reference.zh.startswith("1. 训练中文分词器并合并词表；")


def test_a_study_groups_key_with_an_options_text_and_notes_for_the_open_ones() -> None:
    """A forum post: "Answer key: 1-B, 2-NF4, 3-A/C" gives one key as the option's text, then
    "Quick notes on the math ones:" and "My notes for 4 and 5 (…, happy to argue in the
    comments):" explain by number; "(spacing so you don't see the answers by accident)"
    between the dots is no answer."""
    result = parse_article(
        "Quiz for our study group. Answer key at the bottom.\n\n1. ZeRO-3 shards:\nA) nothing\n"
        "B) parameters too\n\n2. QLoRA stores base weights in:\nA) INT8\nB) NF4\n\n"
        "3. Which are PEFT methods?\nA) LoRA\nB) full fine-tuning\nC) prefix tuning\n\n"
        "4. (open) Why train small models past Chinchilla?\n\n5. (open) When is full "
        "fine-tuning better than LoRA?\n\n.\n\n.\n\n(spacing so you don't see the answers by "
        "accident)\n\n.\n\nAnswer key: 1-B, 2-NF4, 3-A/C\n\nQuick notes on the math ones:\n"
        "1: every GPU holds 1/N of the parameters.\n\nMy notes for 4 and 5 (not the only right "
        "answers, happy to argue in the comments):\n\n4: inference cost is paid per request.\n\n"
        "5: when LoRA clearly underfits on your eval.\n",
        name="reddit.txt",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:3]] == [["B"], ["B"], ["A", "C"]]
    assert questions[0].explanation.en == "every GPU holds 1/N of the parameters."
    assert [q.reference.en for q in questions[3:]] == [
        "inference cost is paid per request.",
        "when LoRA clearly underfits on your eval.",
    ]


def test_open_answers_as_bullet_lists_under_the_keys_explanations() -> None:
    """ "3、4 为简答题，要点见下面的解析。" points to the explanations, where "3. 要点：" and
    "4. 要点：" each open a list of points set apart by blank lines."""
    result = parse_article(
        "1. decode 受什么限制？\nA. 计算\nB. 显存带宽\n\n"
        "2. 什么省 prefill？\nA. 前缀缓存\nB. 更长输出\n\n"
        "3. 解释 TTFT 和 TPOT。\n\n4. P99 延迟升高怎么排查？\n\n## 参考答案\n\n1.B 2.A\n\n"
        "3、4 为简答题，要点见下面的解析。\n\n## 解析\n\n1. 每步都要读一遍权重。\n\n"
        "2. 省掉了前缀的 prefill。\n\n3. 要点：\n\n- TTFT：到第一个 token 的时间。\n\n"
        "- TPOT：之后每个 token 的间隔。\n\n4. 要点：\n\n- 先看 prompt 长度。\n\n"
        "- 再看 KV Cache 使用率。\n",
        name="jianshu.md",
        bank_id="t",
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["B"], ["A"]]
    assert [q.reference.zh for q in questions[2:]] == [
        "要点：\n- TTFT：到第一个 token 的时间。\n- TPOT：之后每个 token 的间隔。",
        "要点：\n- 先看 prompt 长度。\n- 再看 KV Cache 使用率。",
    ]


def test_an_open_questions_pointer_to_its_answer_at_the_end_gives_way_to_it() -> None:
    """ "（这题没有标准答案，文末给我的思路。）" under the open question points to the
    explanations after the key; "—— 以下是答案，还没做完的同学先别往下翻 ——" guards them."""
    result = parse_article(
        "### 1、overlap 的主要目的是？\n\nA. 省存储\nB. 不把信息切在边界上\n\n"
        "### 2、归一化后余弦和内积？\n\nA. 相等\nB. 无关\n\n"
        "### 3、开放题：RAG 答错了你会怎么排查？\n\n"
        "（这题没有标准答案，文末给我的思路。）\n\n---\n\n"
        "—— 以下是答案，还没做完的同学先别往下翻 ——\n\n## 参考答案\n\n**选择题：1.B 2.A**\n\n"
        "## 解析\n\n1. 不把一句话切断。\n2. 模长为 1。\n"
        "3. 参考思路：先把问题拆成检索错了还是生成错了。\n",
        name="infoq.md",
        bank_id="t",
    )
    first, second, third = result.bank.questions
    assert (first.answer, second.answer) == (["B"], ["A"])
    assert third.reference.zh == "参考思路：先把问题拆成检索错了还是生成错了。"
    dumped = str(result.bank.model_dump())
    assert "文末" not in dumped
    assert "往下翻" not in dumped


def test_a_list_nested_under_a_question_the_key_answers_in_letters_is_its_options() -> None:
    """A Notion or Google Docs export writes a quiz as an outline: the options are items
    1., 2., … nested under each question, the key a table of letters at the end. Without
    such a key, the same nesting under a question is the points of its answer."""
    outline = (
        "1. Dense retrievers are usually trained with which objective?\n"
        "    1. Next-token prediction\n    2. A contrastive loss with in-batch negatives\n"
        "2. Which of these help multi-hop questions? (select all)\n"
        "    1. Query decomposition\n    2. Top-k of 1\n"
        "3. Where does a cross-encoder reranker sit?\n"
        "    1. On the top-k candidates\n    2. Before chunking\n"
    )
    keyed = parse_article(
        outline + "\n## Answer key\n\n| Q | Answer |\n| --- | --- |\n| 1 | b |\n| 2 | a, b |\n"
        "| 3 | a |\n",
        name="notion.md",
        bank_id="t",
    )
    first, second, third = keyed.bank.questions
    assert [o.text.en for o in first.options] == [
        "Next-token prediction",
        "A contrastive loss with in-batch negatives",
    ]
    assert first.answer == ["B"]
    assert second.answer == ["A", "B"]
    assert len(second.options) == 2
    assert third.answer == ["A"]
    unkeyed = parse_article(outline, name="notes.md", bank_id="t").bank.questions
    assert [q.id for q in unkeyed] == ["q1", "q2", "q3"]
    assert unkeyed[0].kind.value == "open"
    assert "A contrastive loss" in unkeyed[0].reference.en


def test_keys_of_ranges_set_in_columns() -> None:
    """A Word quiz's key, "1-5：BCACD" and "6-7：AD" side by side: each range's letters go
    one to a question, not "5：BCACD" to question 1."""
    questions = "".join(
        f"{n}. 第 {n} 题问的是哪一个？（　　）\nA. 甲\nB. 乙\nC. 丙\nD. 丁\n\n" for n in range(1, 8)
    )
    result = parse_article(
        questions + "参考答案\n\n一、单项选择题\n1-5：BCACD　　6-7：AD\n",
        name="quiz.txt",
        bank_id="t",
    )
    assert [q.answer for q in result.bank.questions] == [
        ["B"],
        ["C"],
        ["A"],
        ["C"],
        ["D"],
        ["A"],
        ["D"],
    ]


def test_a_course_keys_remarks_between_its_label_table_and_sample_answers() -> None:
    """A course site's key: a release note under "## Answer key", the table, the class
    average, then "### Sample answers" for the open questions; the remarks are the key
    section's, and every question gets its answer."""
    result = _parse(
        "## Answer key\n\nReleased Nov 15. Regrade requests go through Gradescope.\n\n"
        "| Q | Answer |\n|:-:|:-:|\n| 1 | C |\n| 2 | B |\n\n"
        "Class average on Part A: 1.6 / 2. Most-missed: question 2.\n\n"
        "### Sample answers for Part B\n\n**3.** Fit a scaling law on small runs.\n\n"
        "**4.** About 16 bytes per parameter, divided by the data-parallel degree.\n"
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["C"], ["B"]]
    assert questions[2].reference.en == "Fit a scaling law on small runs."
    assert questions[3].reference.en.startswith("About 16 bytes")
    assert "Class average" not in str(result.bank.model_dump())


def test_an_open_answers_own_numbered_steps_after_the_key() -> None:
    """A Google Docs export's model answer: "**3.** Start with the job:" then its own steps
    1., 2., …, which are its text, not answers to questions 1 and 2."""
    result = _parse(
        "## Answer key\n\n| Q | Answer |\n| --- | --- |\n| 1 | C |\n| 2 | B |\n\n"
        "## Model answers\n\n**3.** Start with the job the model does:\n\n"
        "1. Fit small runs.\n2. Extrapolate the loss.\n\n**4.** About 16 bytes per parameter.\n"
    )
    questions = result.bank.questions
    assert [q.answer for q in questions[:2]] == [["C"], ["B"]]
    assert questions[2].reference.en.endswith("2. Extrapolate the loss.")
    assert questions[3].reference.en == "About 16 bytes per parameter."
