"""LaTeX exam papers (exam.cls, or enumerate lists): read as the Markdown the parser knows,
one line for each of the author's lines, and told apart from Markdown and plain text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmiq.ingest import import_text
from llmiq.ingest.formats import detect_import_format
from llmiq.ingest.latex import latex_to_markdown, looks_like_latex

FIXTURES = Path(__file__).parents[1] / "fixtures"

EXAM_ZH = r"""\documentclass[answers]{exam}
\usepackage{ctex}
\title{微调笔试题}
\author{命题组}
\begin{document}
\maketitle
\noindent 姓名：\underline{\hspace{3cm}}
\section*{一、选择题}
\begin{questions}
\question[2] LoRA 训练的是什么？ % 送分题
\begin{choices}
  \choice 全部权重
  \CorrectChoice 低秩矩阵 $B$ 和 $A$
  \choice 只有 LayerNorm
\end{choices}
\begin{solution}
LoRA 冻结原权重。
\end{solution}

\question[3] 下列哪些是 PEFT 方法？
\begin{checkboxes}
  \CorrectChoice LoRA \CorrectChoice Prefix Tuning \choice 全参数微调
\end{checkboxes}
\end{questions}
\begin{questions}
\setcounter{question}{9}
\question 量化常用的格式是 \fillin[NF4][2cm]。

\question[5] 解释 \textbf{QLoRA} 的双重量化。
\begin{solutionorbox}[3cm]
对量化常数再做一次量化。
\end{solutionorbox}
\end{questions}
\begin{center}试卷结束\end{center}
\end{document}
"""

ENUMERATE_EN = r"""\section{Decoding}
\begin{enumerate}
\item Which decoding method is \emph{deterministic}?
  \begin{enumerate}
  \item Top-k sampling
  \item Greedy decoding
  \end{enumerate}
  \textbf{Answer:} B
\item Why does beam search favour short outputs? \\
  \textbf{Answer:} Every extra token multiplies in a probability below one.
\end{enumerate}
"""


def test_an_exam_class_paper_in_chinese(in_short: Callable[[Any], list]) -> None:
    result = import_text(EXAM_ZH, name="微调.tex", bank_id="t")
    assert result.bank.title.get("zh") == "微调笔试题"
    assert in_short(result) == [
        ("single", ["全部权重", "低秩矩阵 $B$ 和 $A$", "只有 LayerNorm"], ["B"]),
        ("multiple", ["LoRA", "Prefix Tuning", "全参数微调"], ["A", "B"]),
        ("open", [], "NF4"),
        ("open", [], "对量化常数再做一次量化。"),
    ]
    questions = result.bank.questions
    assert questions[0].explanation.get("zh") == "LoRA 冻结原权重。"
    assert questions[2].prompt.get("zh") == "量化常用的格式是 ____。"
    assert questions[3].prompt.get("zh") == "解释 **QLoRA** 的双重量化。"
    skipped = {(s.first, s.last, s.reason) for s in result.skipped}
    assert (1, 2, "front matter, not imported") in skipped
    assert (4, 4, "front matter, not imported") in skipped
    # \maketitle and the name line
    assert (6, 7, "text outside the questions, not imported") in skipped
    assert (34, 34, "text outside the questions, not imported") in skipped  # 试卷结束
    assert not any(
        "试卷结束" in (q.reference.get("zh") or "") for q in questions if not q.is_choice
    )


def test_numbers_follow_the_counter() -> None:
    lines = latex_to_markdown(EXAM_ZH).lines
    assert lines[9] == "1. LoRA 训练的是什么？"
    assert lines[14] == "答案：B"
    assert lines[21] == "A. LoRA  B. Prefix Tuning  C. 全参数微调"
    assert lines[22] == "答案：A、B"
    assert lines[26] == "10. 量化常用的格式是 ____。"
    assert lines[27] == "答案：NF4"


def test_enumerate_questions_in_english(in_short: Callable[[Any], list]) -> None:
    result = import_text(ENUMERATE_EN, name="decoding.tex", bank_id="t")
    assert in_short(result) == [
        ("single", ["Top-k sampling", "Greedy decoding"], ["B"]),
        ("open", [], "Every extra token multiplies in a probability below one."),
    ]
    assert result.bank.questions[0].prompt.get("en") == "Which decoding method is *deterministic*?"


def test_one_output_line_for_each_input_line() -> None:
    for text in (EXAM_ZH, ENUMERATE_EN, "\\begin{questions}\n\\question", "{\\bf", "%"):
        assert len(latex_to_markdown(text).lines) == len(text.split("\n"))


def test_detection() -> None:
    assert looks_like_latex(EXAM_ZH)
    assert detect_import_format("paper.txt", EXAM_ZH).name == "latex"
    assert detect_import_format("paste", EXAM_ZH).name == "latex"
    assert detect_import_format("x.tex", ENUMERATE_EN).name == "latex"
    assert not looks_like_latex("# Notes\n\nUse `\\frac{a}{b}` in math.\n\n1. What is $x$?\n")
    assert not looks_like_latex("1. 公式 \\(a+b\\) 是什么？\n答案：和\n")
