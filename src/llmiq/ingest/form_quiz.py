"""The questions of a quiz page built from form controls: a Moodle attempt review, a Canvas
quiz result, a Google Forms score page, a WordPress "Quiz Maker" result, a HackerRank test
report, a 问卷星 (wjx.cn) exam result, a Coursera graded quiz review, a LearnPress quiz result.

Such a page holds no question text the way an article writes it: each question is a block
of the learning platform's markup, its options radio buttons or checkboxes with a label, its
key a "The correct answer is: …" sentence, a class or an icon, around it the marks, flags and
navigation of the platform. Readability keeps the summary table and drops the option lists
(it drops lists holding inputs), so these pages are read from their markup instead and
written as the article parser reads them: ``## Question N``, the prompt, lettered options,
``Answer: B`` (the key matched to the options by their text) and ``Explanation: …``.

- Moodle: ``div.que`` with its number in ``.qno``, its text in ``.qtext``, its options in
  ``.answer`` (an ``input`` and a label that may open with ``<span class="answernumber">``),
  the key in ``.rightanswer`` ("The correct answer is: …", "The correct answers are: …, …",
  in the site's language), the general feedback in ``.generalfeedback``. The ticked options
  are the student's, not the key; the mark, "Flag question" and the specific feedback
  ("Your answer is correct.") are left out.
- Canvas: ``div.display_question`` with ``.question_name``, ``.question_text`` and
  ``.answer`` blocks, the right ones of class ``correct_answer``.
- Google Forms: items of ``role="list"`` with a ``role="heading"`` prompt, options of
  ``role="radio"``/``role="checkbox"`` named by ``aria-label``, the key the options of a
  "Correct answer(s)" block or the one marked by an icon labelled "Correct", and the text of a
  "Feedback" block; an open item's feedback that is an answer line ("Model answer: …") is
  its answer. Items with neither options nor a key (a "Name" field) and section headers are
  left out; the items are numbered in order.
- Quiz Maker (WordPress): ``.step`` blocks with ``.ays_quiz_question``, the number in
  ``.ays-question-counter`` ("3 / 9"), options ``.ays-field`` (the right ones of class
  ``correct``, their ✔/✘ left out), a text question's key in ``.ays-text-right-answer``
  ("Right answer: …"), the explanation in a block whose class names one.
- HackerRank: ``.question-report`` blocks with ``.q-index`` and ``.question-statement``,
  options ``.mcq-option`` (the right ones ``correct-option``; "Candidate's choice" and the
  tags are left out), a subjective question's key the ``.evaluation-guidance`` below its
  heading; the candidate's answer is left out.
- 问卷星: ``.field`` blocks with ``.field-label`` (its number in ``.topicnumber``; the
  ``[单选题]`` tip, the score and the star left out), lettered options in ``.label``, the key
  in "正确答案：ABC" or, when the student was right, "您的答案：A（回答正确）", "答案解析：…" the
  explanation and "参考答案：…" a written question's key; a field with no key ("您的姓名")
  is left out.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from llmiq.ingest.html_writer import SPACE, class_words, text_of, written
from llmiq.ingest.lines import LineKind, classify

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_CHOICES = ("radio", "checkbox")
_HEADS = ("h2", "h3", "h4", "h5", "h6")
_NOT_TEXT = ("input", "svg", "img", "script", "style", "button")
#: "The correct answer is: …", "Die richtige Antwort ist: …", "正确答案是：…": up to the colon.
_KEY_LEAD = re.compile(r"^[^:：]{0,60}[:：]\s*")
_KEY_LABEL = re.compile(r"^correct answers?$", re.I)
_FEEDBACK_LABEL = re.compile(r"^feedback$", re.I)


@dataclasses.dataclass
class FormQuestion:
    """One question of a form quiz: ``key`` indexes ``options``; ``answer`` is the text of
    the right answer when it is not an option."""

    number: str | None
    prompt: list[str]
    options: list[str]
    key: list[int] = dataclasses.field(default_factory=list)
    answer: str | None = None
    explanation: str | None = None


def _find(element: HtmlElement, name: str) -> HtmlElement | None:
    """The first element below ``element`` with the class word ``name``."""
    return next((e for e in element.iter() if name in class_words(e)), None)


def _without(element: HtmlElement, names: set[str]) -> HtmlElement:
    """A copy of ``element`` without its descendants of the class words ``names``, inputs
    and icons (an empty ``<i class="icon fa fa-check">``)."""
    element = copy.deepcopy(element)
    for inner in list(element.iterdescendants()):
        if not isinstance(inner.tag, str):
            continue
        icon = inner.tag == "i" and not inner.text_content().strip()
        dropped = icon or inner.tag in _NOT_TEXT or set(class_words(inner)) & names
        if dropped and inner.getparent() is not None:
            inner.drop_tree()
    return element


def _marked_options(
    found: Iterable[tuple[str, HtmlElement, str]],
) -> tuple[list[str], list[int]]:
    """The options (each ``(text, element, class word)``, empty texts passed over) and the
    indexes of those whose element has the class word that marks the right ones."""
    options: list[str] = []
    key: list[int] = []
    for text, element, right in found:
        if text:
            if right in class_words(element):
                key.append(len(options))
            options.append(text)
    return options, key


def _key_of(sentence: str, options: list[str]) -> tuple[list[int], str | None]:
    """The options a key sentence names by their text, or the sentence's answer as text when
    it names none: ``"The correct answers are: RoPE, ALiBi"`` -> ``([0, 2], None)``."""
    named = _KEY_LEAD.sub("", sentence.strip(), count=1).strip()
    if not named:
        return [], None
    found, rest = [], named
    for index in sorted(range(len(options)), key=lambda i: -len(options[i])):
        if options[index] and options[index] in rest:
            found.append(index)
            rest = rest.replace(options[index], "\0", 1)
    if found and not re.sub(r"[\0\s,，、;；]|\band\b|和|及", "", rest):
        return sorted(found), None
    return [], named


def _moodle(root: HtmlElement) -> list[FormQuestion]:
    questions = []
    for que in root.iter("div"):
        if "que" not in class_words(que) or (text := _find(que, "qtext")) is None:
            continue
        box = _find(que, "answer")
        rows = []
        if box is not None:
            rows = [r for r in box if isinstance(r.tag, str) and r.find(".//input") is not None]
        options = [
            text_of(_without(r, {"answernumber", "specificfeedback", "feedback"})) for r in rows
        ]
        options = [o for o in options if o]
        question = FormQuestion(text_of(_find(que, "qno")) or None, written(text), options)
        if (right := _find(que, "rightanswer")) is not None:
            question.key, question.answer = _key_of(text_of(right), options)
        elif len(options) == len(rows):  # no key sentence: a ticked radio marked correct
            question.key = [
                i
                for i, r in enumerate(rows)
                if "correct" in class_words(r) and r.find(".//input[@type='radio']") is not None
            ]
        if (general := _find(que, "generalfeedback")) is not None and text_of(general):
            question.explanation = text_of(general)
        questions.append(question)
    return questions


#: How a teacher's comment gives an essay question's answer: "Sample answer: …".
_MODEL_ANSWER = re.compile(r"^\s*(?:sample|model|suggested|example)\s+answer\s*[:：]\s*", re.I)


def _canvas(root: HtmlElement) -> list[FormQuestion]:
    questions = []
    for block in root.iter("div"):
        if "display_question" not in class_words(block):
            continue
        if (text := _find(block, "question_text")) is None:
            continue
        answers = [e for e in block.iter("div") if "answer" in class_words(e)]
        labels = [
            next(
                (f for n in ("answer_text", "answer_label") if (f := _find(answer, n)) is not None),
                answer,
            )
            for answer in answers
        ]
        options, key = _marked_options(
            (
                text_of(_without(label, {"answer_arrow", "answer_comment"})),
                answer,
                "correct_answer",
            )
            for label, answer in zip(labels, answers, strict=True)
        )
        number = _number(_find(block, "question_name"))
        question = FormQuestion(number, written(text), options, key)
        if not any(e.get("type") in _CHOICES for e in block.iter("input")) and key:
            question.options, question.key = [], []
            question.answer = "; ".join(options[i] for i in key)
        if (comment := _find(block, "quiz_comment")) is not None:
            said = text_of(_without(comment, {"quiz_comment_label"}))
            if model := _MODEL_ANSWER.match(said):  # an essay's "Sample answer: …"
                question.answer = question.answer or said[model.end() :]
            elif said:
                question.explanation = said
        questions.append(question)
    return questions


def _choice_label(control: HtmlElement) -> str:
    return SPACE.sub(" ", control.get("aria-label") or control.get("data-value") or "").strip() or (
        text_of(control)
    )


def _labelled(item: HtmlElement, pattern: re.Pattern[str]) -> HtmlElement | None:
    """The block of ``item`` whose first child is a label matching ``pattern`` ("Correct
    answer", "Feedback")."""
    for element in item.iter():
        if isinstance(element.tag, str) and len(element) == 0 and pattern.match(text_of(element)):
            return element.getparent()
    return None


def _google_forms(root: HtmlElement) -> list[FormQuestion]:
    questions = []
    for item in root.iter():
        if not isinstance(item.tag, str) or item.get("role") != "listitem":
            continue
        heading = next((e for e in item.iter() if e.get("role") == "heading"), None)
        if heading is None:
            continue
        section = _labelled(item, _KEY_LABEL)
        inside = set(section.iter()) if section is not None else set()
        controls = [e for e in item.iter() if e.get("role") in _CHOICES and e not in inside]
        options = list(dict.fromkeys(_choice_label(c) for c in controls))
        key: list[int] = []
        answer = None
        if section is not None:
            right = [_choice_label(e) for e in section.iter() if e.get("role") in _CHOICES]
            right = right or [text_of(e) for e in section.iter() if len(e) == 0 and text_of(e)][1:]
            key = [options.index(r) for r in right if r in options]
            if not options:
                answer = "; ".join(right)
        else:
            for mark in (e for e in item.iter() if e.get("aria-label") == "Correct"):
                box = mark.getparent()
                chosen = [c for c in box.iter() if c.get("role") in _CHOICES]
                if chosen and _choice_label(chosen[0]) in options:
                    key.append(options.index(_choice_label(chosen[0])))
                elif not options and (given := text_of(box)):
                    answer = given
        feedback = _labelled(item, _FEEDBACK_LABEL)
        said = text_of(feedback)[len("Feedback") :].strip() if feedback is not None else ""
        if not options and answer is None and (read := classify(0, said)).kind is LineKind.ANSWER:
            answer, feedback = read.answer_value, None  # an open item's "Model answer: …"
        if not options and answer is None:
            continue  # a section header, or a field with no key ("Name")
        prompt = _without(heading, set())
        for star in [e for e in prompt.iter() if e.get("aria-label") == "Required question"]:
            star.drop_tree()
        question = FormQuestion(None, [text_of(prompt)], options, sorted(set(key)), answer)
        if feedback is not None:
            question.explanation = said or None
        questions.append(question)
    for number, question in enumerate(questions, 1):
        question.number = str(number)
    return questions


def _blocks(root: HtmlElement, block: str, prompt: str) -> list[tuple[HtmlElement, HtmlElement]]:
    """Each element of the class word ``block`` with its first element of the class word
    ``prompt``, outermost blocks only."""
    found: list[tuple[HtmlElement, HtmlElement]] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or block not in class_words(element):
            continue
        outer = {b for b, _ in found}
        if (text := _find(element, prompt)) is not None and not outer & set(
            element.iterancestors()
        ):
            found.append((element, text))
    return found


def _number(element: HtmlElement | None) -> str | None:
    number = re.search(r"\d+", text_of(element))
    return number.group(0) if number else None


def _quiz_maker(root: HtmlElement) -> list[FormQuestion]:
    questions = []
    for step, text in _blocks(root, "step", "ays_quiz_question"):
        fields = [f for f in step.iter() if "ays-field" in class_words(f)]
        fields = [f for f in fields if f.find(".//input") is not None]
        options, key = _marked_options(
            (text_of(_without(field, {"ays-answer-mark"})), field, "correct") for field in fields
        )
        question = FormQuestion(
            _number(_find(step, "ays-question-counter")), written(text), options, key
        )
        if (right := _find(step, "ays-text-right-answer")) is not None and not options:
            question.answer = _KEY_LEAD.sub("", text_of(right), count=1) or None
        explanation = next(
            (e for e in step.iter() if re.search(r"explanation", e.get("class") or "")), None
        )
        question.explanation = text_of(explanation) or None
        questions.append(question)
    return questions


def _hackerrank(root: HtmlElement) -> list[FormQuestion]:
    questions = []
    for block, text in _blocks(root, "question-report", "question-statement"):
        options, key = _marked_options(
            (text_of(_find(item, "option-text")), item, "correct-option")
            for item in block.iter()
            if "mcq-option" in class_words(item)
        )
        question = FormQuestion(_number(_find(block, "q-index")), written(text), options, key)
        if not options and (guidance := _find(block, "evaluation-guidance")) is not None:
            answer = copy.deepcopy(guidance)
            for head in [e for e in answer if e.tag in _HEADS]:
                answer.remove(head)  # "Expected answer (interviewer guidance)"
            question.answer = text_of(answer) or None
        questions.append(question)
    return questions


_LETTERED = re.compile(r"^([A-Z])[.、．:：)）]\s*")
_WJX_KEY = re.compile(r"正确答案\s*[:：]\s*([A-Z]+)")
_WJX_RIGHT = re.compile(r"您的答案\s*[:：]\s*([A-Z]+)\s*[(（]回答正确")
_WJX_NOTE = re.compile(r"^(?:答案解析|解析)\s*[:：]\s*")
_WJX_REFERENCE = re.compile(r"参考答案\s*[:：]\s*(.+?)\s*(?:得分\s*[:：].*)?$")


def _wjx(root: HtmlElement) -> list[FormQuestion]:
    """A 问卷星 (wjx.cn) exam result: ``div.field`` blocks, the key in "正确答案：ABC" or,
    when the student was right, "您的答案：A（回答正确）"; a fill-in field without a key
    ("您的姓名") is left out."""
    questions = []
    for field, label in _blocks(root, "field", "field-label"):
        labels = [e for e in field.iter() if "label" in class_words(e) and e is not label]
        options = [_LETTERED.sub("", text_of(e)) for e in labels]
        options = [o for o in options if o]
        prompt = text_of(_without(label, {"req", "topicnumber", "qtypetip", "score-tip"}))
        question = FormQuestion(_number(_find(label, "topicnumber")), [prompt], options)
        for note in (e for e in field.iter() if "answer-ansys" in class_words(e)):
            said = text_of(note)
            if found := _WJX_KEY.search(said) or _WJX_RIGHT.search(said):
                letters = [ord(c) - ord("A") for c in found.group(1)]
                question.key = [i for i in letters if i < len(options)]
            elif (reference := _WJX_REFERENCE.search(said)) and not options:
                question.answer = reference.group(1)
            elif _WJX_NOTE.match(said):
                question.explanation = _WJX_NOTE.sub("", said)
        if question.key or question.answer:
            questions.append(question)
    return questions


def _learnpress(root: HtmlElement) -> list[FormQuestion]:
    """A LearnPress (WordPress) quiz result: ``div.question`` blocks with ``.question-title``
    ("Question 3"), ``.question-content`` and ``li.answer-option`` options, the right ones of
    class ``answer-correct`` (the taker's marks and ✔/✘ labels left out), the explanation
    in ``.question-explanation-content``."""
    questions = []
    for block, text in _blocks(root, "question", "question-content"):
        items = [e for e in block.iter("li") if "answer-option" in class_words(e)]
        titles = [_find(item, "option-title") for item in items]
        options, key = _marked_options(
            (text_of(item if title is None else title), item, "answer-correct")
            for item, title in zip(items, titles, strict=True)
        )
        question = FormQuestion(
            _number(_find(block, "question-title")), written(text), options, key
        )
        explanation = _find(block, "question-explanation-content")
        if explanation is not None:
            question.explanation = _KEY_LEAD.sub("", text_of(explanation), count=1) or None
        if options and key:
            questions.append(question)
    return questions


_VERDICT = re.compile(r"^\s*(?P<verdict>correct|incorrect|partially correct)\b[.!:]?\s*", re.I)


def _coursera(root: HtmlElement) -> list[FormQuestion]:
    """A Coursera graded quiz review: ``.rc-FormPartsQuestion`` blocks, options ``.rc-Option``
    labels. The ticks are the learner's: a choice is the key where the feedback after it
    (or the question's, for one answer) says "Correct"; after "Incorrect" the key is the one
    other option the feedback names, if it names one. A typed answer's key is the "Sample
    response" or the learner's answer the feedback calls correct."""
    questions = []
    for block in (e for e in root.iter("div") if "rc-FormPartsQuestion" in class_words(e)):
        text = _find(block, "rc-FormPartsQuestion__contentCell")
        if text is None:
            continue
        options, ticked, right, wrong = [], [], [], []
        verdict = None
        for element in block.iter():
            if "rc-Option" in class_words(element):
                box = element.find(".//input")
                ticked.append(box is not None and box.get("checked") is not None)
                options.append(text_of(_without(element, set())))
            elif "rc-FormPartsQuestion__feedback" in class_words(element):
                said = _VERDICT.match(_words(element))
                verdict = element
                if said and options and ticked[-1] and said["verdict"].lower() == "correct":
                    right.append(len(options) - 1)
                elif said and options and ticked[-1]:
                    wrong.append(len(options) - 1)
        question = FormQuestion(_number(_find(block, "question-number")), written(text), options)
        said = _VERDICT.match(_words(verdict)) if verdict is not None else None
        note = _VERDICT.sub("", _words(verdict), count=1) if verdict is not None else ""
        if right or wrong:  # a feedback under each ticked option
            question.key = right if not wrong else []
        elif said and options and said["verdict"].lower() == "correct":
            question.key = [i for i, tick in enumerate(ticked) if tick]
        elif said and options:
            named = [
                i for i, o in enumerate(options) if not ticked[i] and o.lower() in note.lower()
            ]
            question.key = named if len(named) == 1 else []
        elif not options and said and said["verdict"].lower() == "correct":
            typed = block.find(".//textarea")
            typed = typed.text_content() if typed is not None else None
            box = next((i for i in block.iter("input") if i.get("type") == "text"), None)
            question.answer = re.sub(r"^sample\s+response\s*:\s*", "", note, flags=re.I) or (
                typed or (box.get("value") if box is not None else None)
            )
            note = ""
        question.explanation = note or None
        if question.key or question.answer:
            questions.append(question)
    return questions


def _words(element: HtmlElement) -> str:
    """Its text with its pieces apart: "<strong>Correct</strong><br>Right" -> "Correct Right"."""
    return SPACE.sub(" ", " ".join(element.itertext())).strip()


def form_quiz(root: HtmlElement) -> list[FormQuestion]:
    """The questions of a quiz page made of a platform's markup (see the module docstring),
    or none for any other page; ``root`` is not changed."""
    readers = (_moodle, _canvas, _google_forms, _quiz_maker, _hackerrank, _wjx, _coursera)
    for reader in (*readers, _learnpress):
        if questions := reader(root):
            return questions
    return []


def quiz_lines(questions: list[FormQuestion]) -> list[str]:
    """The questions as the article parser reads them (see the module docstring)."""
    lines: list[str] = []
    for index, question in enumerate(questions, 1):
        lines += [f"## Question {question.number or index}", "", *question.prompt, ""]
        if question.options:
            lines += [f"{chr(ord('A') + i)}. {o}" for i, o in enumerate(question.options[:26])]
            lines.append("")
        if question.key:
            lines += ["Answer: " + ", ".join(chr(ord("A") + i) for i in question.key), ""]
        elif question.answer:
            lines += [f"Answer: {question.answer}", ""]
        if question.explanation:
            lines += [f"Explanation: {question.explanation}", ""]
    return lines[:-1] if lines else lines
