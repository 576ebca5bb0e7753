"""What an answer line says: option keys (``"ABCE"``, ``"A, B, D"``, ``"(b)"``, ``"选C"``), an
option's own text, or a short open answer with the variants graded as the same answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from llmiq.ingest.lines import GLOSS, LineKind, classify, fold
from llmiq.ingest.markdown_html import INLINE_TAG
from llmiq.ingest.option_text import (
    FALSE_WORDS,
    TRUE_WORDS,
    first_clause,
    match_option_fragment,
    match_option_number,
    match_option_opening,
    match_option_ordinal,
    match_option_paraphrase,
    match_option_prefix,
    match_option_text,
    match_option_texts,
    remark_after_text,
)
from llmiq.ingest.question_marks import chinese_numeral
from llmiq.ingest.result import Note, shorten
from llmiq.messages import N_

_KEY = r"(?:\(\s*[A-J]\s*\)|[A-J])"


_KEYS = re.compile(
    rf"^\s*\[?(?P<keys>{_KEY}(?:\s*(?:,\s*and\b|[,/&;+、，和及与跟]|\band\b)?\s*{_KEY})*)\]?"
    r"(?=$|[\s.。,，:：;；()、])(?P<rest>.*)$"
)


_LOWER_KEY = r"(?:\([a-j]\)|[a-j]\)?)"


_LOWER_KEYS = re.compile(
    rf"^\s*(?P<keys>{_LOWER_KEY}(?:\s*(?:[,/、，]|,?\s*\band\b)\s*{_LOWER_KEY})*)"
    r"(?:[.。]\s+(?P<lrest>\S.*)|\s+(?:[—–]+|--?)\s+(?P<drest>\S.*)|\s+(?P<prest>\(.*)|[.。]?\s*)$"
    r"|^\s*\(?(?P<pkey>[a-j])\)(?P<rest>.*)$"
)


#: Wrapping around keys in an answer: "选C", "Option B", "`C`", "**B**", "> A", "B选项".
_KEY_WRAPPING = re.compile(
    r"[`*]|^\s*>\s*|^\s*(?:选项?|option|choice)\s*|(?<=[A-Ja-j])\s*选项"
    r"|[0-9#*]\ufe0f?\u20e3\s*|[\u2190-\u2bff\U0001f000-\U0001faff\ufe0f]\s*"
    # an option's text in brackets after its key: "A（稠密检索）和 C（BM25）。…"; after the
    # last key only Chinese, which cannot be the answer's own English "(because …)"
    r"|(?<=[A-Ja-j])" + GLOSS + r"(?=\s*(?:[,、和及与]|and\b)\s*\(?[A-Ja-j](?![A-Za-z]))"
    r"|(?<=[A-Ja-j])\s*\([^()]{0,20}[\u4e00-\u9fff][^()]{0,20}\)(?=\s*(?:$|[。.，,；;：:]))",
    re.I,
)


#: A note after the keys that is not an explanation: "ABD（多选）", "B (single choice)".
KEY_NOTE = re.compile(r"^\s*\([^()]{1,16}\)\s*$")


MAX_SHORT_ANSWER = 24


YES_NO_THEN_REASON = re.compile(
    r"^(?P<short>[^—–;:：；。.,，]{1,12}?)\s*(?:—|–|--|\s-\s|[;:：；。.,，])\s*(?P<reason>\S.*)$"
)


def _strip_key_wrapping(value: str) -> str:
    return _KEY_WRAPPING.sub("", fold(INLINE_TAG.sub("", value)))  # "<kbd>A</kbd> <kbd>B</kbd>"


#: Option numbers in parentheses as keys: "(2)" is option B.
_DIGIT_KEY = re.compile(r"\(([1-9])\)")
#: Option keys written in roman numerals, in order (``i.`` … ``viii.``).
ROMAN_KEYS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii")
#: "(iii)": options numbered in roman; "(i)" alone is option I of a long list, as written.
_ROMAN_KEY = re.compile(r"\((ii|iii|iv|vi|vii|viii)\)", re.I)
_ROMAN = r"(?:viii|vii|vi|iv|v|iii|ii|i)"
#: Bare roman keys ending the answer or its sentence: "ii", "i, ii and iv.".
_ROMAN_LIST = re.compile(
    rf"^\s*(?P<run>{_ROMAN}(?:\s*(?:[,、&]|\band\b)\s*{_ROMAN})*)\s*(?:[.;:。]\s*|$)(?P<rest>.*)$"
)


def parse_keys(value: str) -> tuple[list[str], str] | None:
    """Answer keys in an answer line's value, and the text after them.

    ``"ABCE"``, ``"A, B, D"``, ``"A、B"``, ``"(b)"``, ``"B. Zipf's law"``, ``"选C"`` all
    work; lowercase letters only stand alone or in parentheses, so "a lot" is not option A.
    """
    run = _BRACKETED_RUN.match(value)
    keys = [k.upper() for k in re.findall(r"[A-Ja-j]", run["run"])] if run else []
    if run and keys == sorted(set(keys)):  # "a）b）d）", in order
        return keys, run["rest"].strip(" .。,，;；—–-")
    if roman := _ROMAN_LIST.match(value.strip()):
        indices = [ROMAN_KEYS.index(n) for n in re.findall(r"[iv]+", roman["run"])]
        if max(indices) > 0 and indices == sorted(set(indices)):  # "ii", "i, ii and iv"
            return [chr(ord("A") + n) for n in indices], roman["rest"].strip()
    folded = _strip_key_wrapping(value)
    folded = _DIGIT_KEY.sub(lambda m: chr(ord("A") + int(m[1]) - 1), folded)
    folded = _ROMAN_KEY.sub(lambda m: chr(ord("A") + ROMAN_KEYS.index(m[1].lower())), folded)
    if match := _KEYS.match(folded):
        rest = folded[match.start("rest") :].strip().lstrip("—–-").strip()
        if rest and (run := _RUN_THEN_SUBJECT.match(match.group("keys"))):
            # "ABD, C is what ALiBi does": the letter after the run starts the next clause
            return list(run["run"]), f"{run['next']} {rest}"
        return re.findall(r"[A-J]", match.group("keys")), rest
    if match := _LOWER_KEYS.match(folded):
        if match.group("pkey"):
            return [match.group("pkey").upper()], folded[match.start("rest") :].strip()
        keys = [k.upper() for k in re.findall(r"[a-j]", re.sub(r"\band\b", " ", match["keys"]))]
        rest = match.group("lrest") or match.group("drest") or match.group("prest") or ""
        return keys, rest.strip()
    if (run := _LOWER_RUN.match(value)) and list(run["run"]) == sorted(set(run["run"])):
        return [k.upper() for k in run["run"]], (run["rest"] or "").strip()  # "abd": "ABD"
    return None


#: Keys each in brackets, side by side: "a）b）d）", "(a)(b)(d)", "[A][C]".
_BRACKETED_RUN = re.compile(
    r"^\s*(?P<run>(?:[(\[（]?[A-Ja-j][)\]）]\s*){2,})(?=$|[\s.。,，;；—–-])(?P<rest>.*)$"
)
_RUN_THEN_SUBJECT = re.compile(r"^\s*(?P<run>[A-J]{2,})\s*[,，、]\s*(?P<next>[A-J])\s*$")
#: Lowercase keys run together ("abd"), as the whole answer or before a full-width stop
#: ("abd。c 反而更占显存"), in alphabetical order.
_LOWER_RUN = re.compile(r"^\s*[*_]*(?P<run>[a-j]{2,10})[*_]*\s*(?:$|[。；，]\s*(?P<rest>.*)$)")


#: Option keys marked inside prose: "(a)", "c)", "(B)".
_MARKED_KEY = re.compile(r"(?:^|(?<=[\s,;，；、(]))\(?(?P<key>[A-Ja-j])\)(?=[\s,.;:、，；(]|$)")


def keys_in_prose(value: str) -> list[str]:
    """Keys an answer names inside a sentence: ``"both (a) accumulation and (c) more
    GPUs"`` -> ``["A", "C"]``; empty when it marks none."""
    return list(dict.fromkeys(m["key"].upper() for m in _MARKED_KEY.finditer(fold(value))))


#: Further keys named in prose after the first: "b) Clustering and d) Association".
_PROSE_KEY = re.compile(
    r"(?:^|[\s,;，；、])(?:and\s+|和\s*|及\s*|与\s*)?\(?(?P<key>[A-Ja-j])\)(?=[\s,;，；、]|$)"
)


def more_keys_in_prose(rest: str) -> list[str]:
    """Keys written like the first one in the text after it: ``"Clustering and d) Association"``
    -> ``["D"]``."""
    return [m["key"].upper() for m in _PROSE_KEY.finditer(fold(rest))]


#: "The correct options are a, b and d. …", "正确的选项是 A、C": the words before the keys.
_LEAD_IN = re.compile(
    r"^\s*(?:the\s+)?(?:correct|right|true|valid)\s+(?:options?|choices?|answers?|statements?)"
    r"\s+(?:is|are)\s*(?:[:：]\s*|(?=\(?[A-Ja-j]\b|['\"‘“「]))"  # "… is 'True'", "… is: <text>"
    r"|^\s*正确(?:的)?(?:选项|答案)(?:是|为|有)\s*[:：]?\s*(?=[A-J])"
    r"|^\s*(?:the\s+)?(?:options?|choices?)\s+(?=\(?[A-Ja-j]\)?\s*(?:,|and\b))"
    r"|^\s*(?:both|all\s+(?:three|four|of))\s+(?=\(?[A-Ja-j]\)?\s*(?:,|and\b))"  # "Both a and c."
    # "Only **a** and **c**." (not "Only (a) is false", which names the others)
    r"|^\s*(?:only|just)\s+(?=[*_(]*[A-Ja-j]\b)(?![^.;]{0,16}\b(?:is|are)\s+(?:false|wrong|incorrect|not))",
    re.I,
)


_KEYS_THEN_VERB = re.compile(
    r"^(?P<keys>\(?[A-Ja-j]\)?(?:\s*(?:,|、|and|&)\s*\(?[A-Ja-j]\)?)*)\s+(?:are|is)\b\s*", re.I
)


def names_an_option(value: str, options: list[tuple[str, str]]) -> bool:
    """Whether an answer names one of ``options`` by what it says (its text, the start of
    it, a part of it, its place, or the same in other words): what makes unlettered bullets
    under a question its options. Letters and keys read from prose do not count, since the
    bullets have none."""
    return bool(
        match_option_text(value, options)
        or len(match_option_texts(value, options)) >= 2  # "All-Reduce、All-Gather"
        or match_option_prefix(value, options)[0]
        or match_option_ordinal(value, options)[0]
        or match_option_paraphrase(value, options)
        or match_option_fragment(value, options)
        or _end_run(fold(value), [key for key, _ in options])
    )


@dataclass(frozen=True)
class ResolvedKeys:
    keys: list[str]
    rest: str  # what the answer says after its keys (an explanation)
    note: str = ""  # what was inferred rather than read, for the import report


#: A few words, a dash, then a key: "Cosine — (a).", "BPE - B".
_KEY_AFTER_DASH = re.compile(
    r"^[^.;。；\n]{1,40}?\s[—–-]{1,2}\s*(?:\((?P<pk>[A-Ja-j])\)|(?P<uk>[A-J]))(?=[\s.,;。]|$)"
)

#: A taker's own pick before the keys, Chinese: "我选的", "我当时选了", "我选的是".
MY_PICK_ZH = r"我(?:当时)?选(?:的|了)?(?:是)?"
#: A key said plainly before a comma: "显然是 A，D 是 hinge 的写法", "应该选 B，……",
#: "我选的 A、B 和 D，……".
_PLAIN_PICK = re.compile(
    r"^\s*(?:(?:显然|明显|当然|肯定|应该|应当)\s*(?:就)?(?:是|选)|" + MY_PICK_ZH + r")\s*"
    r"(?P<keys>[A-J](?:\s*[、和]\s*[A-J])*)\s*(?=[,，。.;；]|$)"
)


#: Ways an answer without keys names one option by what it says, tried in this order, and
#: how the import report says it was matched.
_BY_WHAT_IT_SAYS: tuple[tuple[Callable[[str, list[tuple[str, str]]], list[str]], str], ...] = (
    (match_option_paraphrase, N_("answer {value} matched to option {key}, which says the same")),
    (match_option_fragment, N_("answer {value} matched to option {key}, whose text holds it")),
    (match_option_opening, N_("answer {value} matched to option {key}, whose text holds it")),
    (
        match_option_number,
        N_("answer {value} matched to option {key}, which gives the same number"),
    ),
)


_REMARK = re.compile(r"[(（][^()（）]{3,}[)）]")
#: A key added after the others in the same sentence: "…, and so does C", "C as well",
#: "…，D 也对", "A 和 B，还有 D".
_ALSO_KEY = re.compile(
    r"\b(?:so\s+(?:does|do|is|are)|as\s+(?:does|is)|plus)\s+\(?"
    r"([A-J]|[a-j](?!\s+[a-z]))\)?(?![\w-])"  # "plus (d)", "plus d.", not "plus a router"
    r"|(?<![\w-])\(?([A-J])\)?\s*(?:\s(?:too|as\s+well|also\s+works?)\b|也(?:对|正确|成立|算|要选))"
    r"|(?:还有|以及|外加|再加上?)\s*\(?([A-J])\)?(?![A-Za-z])"  # "A 和 B，还有 D"
)


def _also(clause: str) -> list[str]:
    return [(m[1] or m[2] or m[3]).upper() for m in _ALSO_KEY.finditer(clause)]


def _read_as(keys: list[str], value: str, rest: str) -> ResolvedKeys:
    """``keys`` read from the prose of ``value``, noted for checking."""
    note = Note.of(N_("answer read as {keys} from {value}; check it"),
                   keys=", ".join(keys), value=repr(shorten(value, 50)))  # fmt: skip
    return ResolvedKeys(keys, rest, note)


def _judged(value: str, options: list[tuple[str, str]]) -> str | None:
    """The option a true/false question's key names by a tick or a cross ("√", "×")."""
    mark = value.strip(" .。")
    if mark not in "√✓✔×✗✘" or len(mark) != 1:
        return None
    wanted = TRUE_WORDS if mark in TRUE_WORDS else FALSE_WORDS
    named = [key for key, text in options if fold(text).strip(" .。").casefold() in wanted]
    return named[0] if len(named) == 1 else None


def resolve_keys(value: str, options: list[tuple[str, str]]) -> ResolvedKeys | None:
    """The keys an answer names: letters ("ABD", "(b)"), an option's own text ("Paris"),
    its text and a reason ("Faithfulness。…"), a quoted part of it, or letters named in prose
    ("b) Clustering and d) Association"). None when it names no option."""
    if _ALL_BUT.match(fold(value).strip()) and (named := keys_named(value, options)):
        return _read_as(named, value, value[len(first_clause(value)) :].lstrip(" .;。；"))
    if (stripped := _LEAD_IN.sub("", value, count=1)) != value:
        # "Options a, b and d are all real causes" -> "a, b and d. all real causes"
        value = _KEYS_THEN_VERB.sub(r"\g<keys>. ", stripped, count=1)
    if judged := _judged(value, options):  # "9. √" under "A. 对" / "B. 错"
        note = Note.of(N_("answer {value} read as option {key}"), value=repr(value.strip()),
                       key=judged)  # fmt: skip
        return ResolvedKeys([judged], "", note)
    parsed = parse_keys(value)
    by_text = match_option_text(value, options)
    if by_text:
        note = (
            ""
            if parsed
            else Note.of(
                N_("answer {value} matched to option {key} by its text"),
                value=repr(value),
                key=by_text[0],
            )
        )
        return ResolvedKeys(by_text, remark_after_text(value, options), note)
    if not parsed and len(texts := match_option_texts(value, options)) >= 2:
        note = Note.of(N_("answer {value} matched to options {keys} by their text"),
                       value=repr(shorten(value, 50)), keys=", ".join(texts))  # fmt: skip
        return ResolvedKeys(texts, "", note)
    sentence = "" if parsed else re.split(r"[。;；!！]|\.(?:\s|$)", fold(value), maxsplit=1)[0]
    if so := _SO_KEYS.search(sentence):
        said = keys_in_prose(so["keys"]) or re.findall(r"[A-J]", so["keys"])
        named = [key for key in said if key in dict(options)]
        if named:  # "PPO, GRPO and online DPO — so (a), (c) and (d).", "……，也就是 A、C、D。"
            return _read_as(named, value, value[len(sentence) :].lstrip(" .;。；"))
    by_prefix, after = match_option_prefix(value, options)
    if by_prefix and not parsed:
        said = value[: len(value) - len(after)].strip()
        note = Note.of(N_("answer {value} matched to option {key}"), value=repr(said),
                       key=by_prefix[0])  # fmt: skip
        return ResolvedKeys(by_prefix, after, note)
    if not parsed and (run := _end_run(fold(value), [key for key, _ in options])):
        return _read_as(run, value, value[len(first_clause(value)) :].lstrip(" .;。；"))
    by_place, after = match_option_ordinal(value, options)
    if by_place and not parsed:
        said = value[: len(value) - len(after)].strip(" .。:：、,，;；—–-")
        note = Note.of(N_("answer {value} read as option {key}"), value=repr(said),
                       key=by_place[0])  # fmt: skip
        return ResolvedKeys(by_place, after, note)
    for matches, message in () if parsed is not None else _BY_WHAT_IT_SAYS:
        if found := matches(value, options):
            note = Note.of(message, value=repr(shorten(value, 40)), key=found[0])
            return ResolvedKeys(found, "", note)
    if parsed is None and (span := _KEY_SPAN.search(first_clause(fold(value)))):
        first, last = span["first"].upper(), span["last"].upper()  # "All four of (a)–(d)."
        named = [key for key, _ in options if first <= key <= last]
        if first < last and last in dict(options):
            return _read_as(named, value, value[len(first_clause(value)) :].lstrip(" .;。；"))
    if parsed is None and _all_options(value, options):  # "全选", "All of the above."
        every = [key for key, _ in options]
        return _read_as(every, value, _ALL_OPTIONS.sub("", fold(value), count=1).strip())
    if parsed is None and (pick := _PLAIN_PICK.match(fold(value))):
        named = re.findall(r"[A-J]", pick["keys"])
        if all(key in dict(options) for key in named):
            return _read_as(named, value, value[pick.end() :].lstrip(" ,，.;。；"))
    if parsed is None and (dashed := _KEY_AFTER_DASH.match(fold(value))):
        named = [(dashed["pk"] or dashed["uk"]).upper()]
        if named[0] in dict(options):  # "Cosine — (a). Most models …"
            return _read_as(named, value, value[dashed.end() :].lstrip(" .。"))
    if parsed is None:
        named = [k for k in keys_in_prose(first_clause(value)) if k in dict(options)]
        clause = first_clause(value)
        named = named or ([] if DENIES.search(clause) else keys_in_short_clause(clause, options))
        if not named:
            return None
        return _read_as(named, value, value)
    keys, rest = parsed
    # keys named further on in the answer's first clause ("b) Clustering and d) Association"),
    # not after it ("(a), (b), (c) — (d) is a tokenization algorithm")
    clause = first_clause(_strip_key_wrapping(value))
    clause = _REMARK.sub(" ", clause)  # "C (8 × 4096 for A plus 4096 × 8 for B)": a remark
    more = [k for k in [*more_keys_in_prose(clause), *_also(clause)] if k in dict(options)]
    more = [k for k in dict.fromkeys(more) if k not in keys]
    if more:
        keys = keys + more
        return _read_as(keys, value, "")
    if len(keys) > 1 and rest:  # "A and C. Both train ...": several keys inside a sentence
        note = Note.of(N_("answer read as {keys} from prose; check it"), keys=", ".join(keys))
        return ResolvedKeys(keys, rest, note)
    return ResolvedKeys(keys, rest)


_JOINER = re.compile(r"^\s*(?:和|与|及|、|,|，|/|&|\band\b|以及)\s*", re.I)


def options_leading(text: str, options: list[tuple[str, str]]) -> list[str]:
    """Options whose texts open a sentence, joined by 和/and/、: ``"LoRA 和 Adapter 都要训练
    新增参数"`` -> ``["A", "C"]`` for options LoRA and Adapter. How a paragraph under the
    options names the answer when there is no answer line; empty when it opens otherwise."""
    found: list[str] = []
    rest = fold(text).strip()
    by_length = sorted(options, key=lambda option: -len(option[1]))
    while True:
        head = next(
            (
                (key, t)
                for key, t in by_length
                if len(t.strip()) >= 2 and rest.casefold().startswith(fold(t).strip().casefold())
            ),
            None,
        )
        if head is None:
            return found
        found.append(head[0])
        rest = rest[len(fold(head[1]).strip()) :]
        joined = _JOINER.match(rest)
        if joined is None:
            return found
        rest = rest[joined.end() :]


#: An option's text in brackets after its key: "A（策略模型）".
_GLOSS = re.compile(GLOSS)
#: a letter standing alone: not in a word, and not "B-tree" or "Plan A, then …"'s "A,"
_BARE_KEY = re.compile(r"(?<![A-Za-z0-9_-])[A-J](?![A-Za-z0-9_-])")
_BARE_LOWER_KEY = re.compile(r"(?<![A-Za-z0-9_-])[a-j](?![A-Za-z0-9_-])")


def keys_in_short_clause(clause: str, options: list[tuple[str, str]]) -> list[str]:
    """Keys standing alone in a short clause with no English words around them: "正确的是 A、B
    两项", "需要 A（策略模型）和 B（参考模型）", "a 和 c" -> ``["A", "B"]``, "a, c and d"; empty
    when the clause is long (then it is prose that may mention options for other reasons), is
    English ("Plan A, then retry"), or names a key that is not an option."""
    plain = _GLOSS.sub("", fold(clause)).strip()
    if re.search(r"[A-Za-z]{2,}", re.sub(r"\band\b", "", plain)):  # "Plan A, then retry"
        return []
    keys = _BARE_KEY.findall(plain) or [key.upper() for key in _BARE_LOWER_KEY.findall(plain)]
    if not keys or len(plain) > 24 or any(key not in dict(options) for key in keys):
        return []
    return list(dict.fromkeys(keys))


_ALL_BUT = re.compile(
    r"\b(?:all|everything)\s+(?:of\s+them\s+|(?:the\s+)?options\s+)?(?:but|except|other\s+than)\s+"
    r"(?P<keys>.+?)(?:[.;。；]|$)"
    # "Only (d) is wrong", "only (d) isn't needed", "Only C is a bad idea"
    r"|\bonly\s+(?P<only>\(?[A-Ja-j]\)?)\s+(?:is\s+(?:false|wrong|incorrect|a\s+bad\s+idea)\b"
    r"|(?:is\s+not|isn['’]t|does\s+not|doesn['’]t)\s+(?:needed|required|necessary|true|correct|right|belong|apply)\b)"
    # "只有 D 不对", "四个里面只有 D 是瞎扯的"
    r"|(?:[两三四五六]\s*(?:个|项)(?:选项)?\s*(?:里面?|中|当中)\s*)?只有\s*(?P<zh_only>[A-J])\s*"
    r"(?:不对|是错的?|错了?|不正确|(?:是)?(?:瞎扯|胡扯|胡说)的?|不成立|有问题)"
    r"|除了?\s*(?P<zh>\(?[A-Ja-j]\)?(?:\s*[,、和]?\s*\(?[A-Ja-j]\)?)*)"
    r"(?:\s*[(（][^()（）]{1,24}[)）])?"  # "除了 C（gRPC）都是"
    r"\s*(?:以外|之外)?[，,]?\s*(?:其他|其余|剩下的?)?"
    r"(?:[两三四五六七八九]\s*(?:个|项))?(?:选项)?(?:都|均)"
    # "四个里面 C 是错的，其他三个都成立"
    r"|(?:[两三四五六]\s*(?:个|项)(?:选项)?\s*(?:里面?|中|当中)\s*)?(?P<wrong>[A-J](?:\s*[、和]\s*[A-J])*)\s*(?:是|说得?|说法)?(?:错的|错误的?|不对的?)[^。；;，,]{0,6}"
    r"[，,]\s*(?:其他|其余|剩下的?)\s*(?:[两三四五六]\s*(?:个|项))?(?:都|均)(?:对|成立|正确|没问题)",
    re.I,
)
#: Every option is right: "全选", "四个都对", "All of them.", "all four are correct".
_ALL_OPTIONS = re.compile(
    r"^\s*(?:全选|全都?对|(?:(?P<n>[两三四五六])(?:个|项)|全部|都)(?:都|均)?(?:对|正确|选|要|是)"
    r"|all\s+(?:of\s+(?:them|the\s+above)|(?P<en>three|four|five)|options|the\s+options)"
    r"(?:\s+(?:are|is)\s+(?:correct|right|true))?)(?=[\s,，.。;；:：!！]|$)[\s,，.。;；:：!！]*",
    re.I,
)


#: The options an answer names its way concluded by their letters: "… — so (a), (c) and (d)".
_SO_KEYS = re.compile(
    r"(?:\bso|\bhence|\bi\.e\.,?|\bthat\s+is,?|即|所以|也就是(?:说)?)\s*(?P<keys>\(?[A-Ja-j]\)(?:\s*(?:,|and|、|和)\s*\(?[A-Ja-j]\))*"
    r"|[A-J](?:\s*(?:,|and|、|和)\s*[A-J])*)\W*$"
)
#: Options named as a span: "(a)–(d)", "A to C", "a) through d)".
_KEY_SPAN = re.compile(
    r"\(?\b(?P<first>[A-Ja-j])\)?\s*(?:[–—~～]|\s-\s|to|through)\s*\(?(?P<last>[A-Ja-j])\b\)?"
)


def _all_options(text: str, options: list[tuple[str, str]]) -> bool:
    """Whether ``text`` opens by choosing every option: "全选", "四个都是" (with four of them),
    "All of the above"."""
    found = _ALL_OPTIONS.match(fold(text))
    if found and found["en"]:  # "All four of (a)–(d)" under five options names four
        return ("three", "four", "five").index(found["en"].lower()) + 3 == len(options)
    return bool(found) and (not found["n"] or chinese_numeral(found["n"]) == len(options))


def keys_named(text: str, options: list[tuple[str, str]]) -> list[str]:
    """The options a sentence under a question names as its answer: "(a) BLEU and (c)
    ROUGE-L", "I said (a), (b) and (d)", "All but (d)", "除了 C 其他都对". Only its first
    clause counts, so "(c) is a quality metric" after a semicolon names nothing."""
    keys = [key for key, _ in options]
    folded = fold(text)
    if but := _ALL_BUT.search(folded):
        said = but["keys"] or but["only"]
        left_out = (
            keys_in_prose(said)
            if said
            else re.findall(r"[A-J]", (but["zh"] or but["wrong"] or but["zh_only"]).upper())
        )
        left_out = left_out or re.findall(r"\b([A-J])\b", (said or "").upper())
        left_out = left_out or match_option_ordinal(said or "", options)[0]  # "the last one"
        left_out = left_out or match_option_text(said or "", options)  # "All except DPO"
        if left_out:
            return [key for key in keys if key not in left_out]
    named: list[str] = []
    for part in re.split(r"[,，]", first_clause(folded)):  # "(a)、(b) 没问题，(c) 正好说反了"
        if not DENIES.search(NO_DENIAL.sub("", part)) and not _REVERSED.search(part):
            named += keys_in_prose(part)
    return [key for key in keys if key in named]


#: Words that say options are right, which an explanation naming them must use.
AFFIRMS = re.compile(r"对|正确|没问题|成立|都是|correct|right|true", re.I)
#: Words that look like denials but are none: "没问题", "不错", "差不多".
NO_DENIAL = re.compile(r"没问题|没毛病|不错|无误|差不多|不少|不仅|不只")
#: An option said to be the wrong way round: "(c) 正好说反了", "(c) is backwards".
_REVERSED = re.compile(r"反了|说反|相反|backwards", re.I)


#: A verdict inside an explanation: "……，本题选 B。", "故选 A、C", "so the answer is (b)".
_VERDICT = re.compile(
    r"(?:本题|此题|这题|这道题|故|所以|因此|综上)[，,]?\s*(?:(?:这|本|此)道?题的?)?"
    r"(?:答案)?(?:应该|应当|应)?(?:选|为|是)\s*"  # "所以这题答案应该是 A 和 C"
    r"(?P<zh>[A-J](?:\s*(?:[,、和及与跟]|加上)\s*[A-J]|[A-J]){0,5})(?![A-Za-z])"
    # "显存看总参数，选 A！": a bare "选" closing its sentence
    r"|(?:^|[，,])\s*(?:选|答案(?:是|为|选)?)\s*(?P<bare>[A-J](?:\s*[,、和及与]\s*[A-J]|[A-J]){0,5})"
    r"\s*(?=[!！。；;，,]|$)"  # "这个简单，选 B，每个 token…", "…= 512，答案 B。"
    r"|\b(?:so|hence|therefore|thus)[, ]+(?:the\s+)?(?:correct\s+)?answer\s+is\s+"
    r"(?P<en>\(?[A-Ja-j]\)?)(?=[\s.,;]|$)",
    re.I,
)


def keys_in_verdict(text: str) -> list[str]:
    """The keys an explanation concludes with ("……，本题选 B。"); empty when it has none."""
    found = _VERDICT.search(fold(text))
    if found is None:
        return []
    return re.findall(r"[A-J]", (found["zh"] or found["bare"] or found["en"] or "").upper())


#: "B、C、D 都是集合通信原语，…", "这题 A B 两项都对", "B、C、D 三项都应该做": keys that open a
#: sentence saying what they all are; a count after them must be theirs.
_ALL_ARE = re.compile(
    r"^\s*(?:这题|本题|此题)?\s*(?P<keys>[A-J](?:\s*[,、和及与]\s*[A-J]|\s+[A-J])+)(?![A-Za-z])\s*"
    r"(?:(?P<count>这?[两二三四五六](?:项|个|种|条))[^，,。；;：:]{0,10}?|选项)?\s*(?:都|均)"
    r"(?:是|属于|为|行|对|可以|算|正确|应该|需要|要|见过|成立|没问题|合理)"
    r"(?![^，,。；;]*(?:错|不|没有|无关|无法|干扰|陷阱))"
)
#: Lower-case keys listed at the start: "a、b、d 正确，c 错误".
_LOWER_KEY_LIST = re.compile(r"^\s*[a-j](?:\s*[、,，和]\s*[a-j])+(?![A-Za-z])")
#: "前三个都是…", "后两项都对", "The first three are correct": a run of options from either end.
_END_RUN = re.compile(
    r"^\s*(?P<end>前|后)\s*(?P<n>[两二三四五六2-6])\s*(?:个|项|条)(?:选项)?\s*"
    r"(?P<last>(?:和|以及|加上?)最后(?:一个|一项|一条))?\s*"
    r"(?:(?:和|以及|加上?|还有|外加)\s*(?P<plus>[A-J])(?![A-Za-z]))?\s*"  # "前两个加上 D"
    r"(?:(?:都|均)?(?:是|对|正确|算|属于|可以|成立|行|没问题)(?![^，,。；;～~!！]*(?:错|不|没有|无关|无法))"
    r"|(?=[。.；;，,]|$))"
    r"|^\s*(?:the\s+)?(?P<en_end>first|last)\s+(?P<en_n>two|three|four|five|[2-5])"
    r"(?:\s+(?:options|ones|choices))?"
    r"(?P<en_last>\s+and\s+the\s+last(?:\s+one)?)?"
    r"(?:,?\s+(?:and|plus)\s+\(?(?P<en_plus>[A-Ja-j])\)?(?![A-Za-z]))?"  # "the first two, plus (d)"
    # "The first three are all standard", not "The first two are wrong"
    r"(?:\s+(?:are|were)\s+(?:all\s+)?(?!not\b|wrong\b|incorrect\b|false\b|bad\b)\w+|(?=\s*(?:[.;,:]|$)))",
    re.I,
)
_EN_COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5}


#: "Only the first and the last.", "第一个和最后一个都对": the options at both ends.
_BOTH_ENDS = re.compile(
    r"^\s*(?:only\s+)?(?:the\s+)?first(?:\s+one)?\s+and\s+(?:the\s+)?last(?:\s+one)?"
    r"(?:\s+(?:are|were)\s+(?:both\s+)?(?:right|correct|true)\b|\s*(?:[.;,:]|$))"
    r"|^\s*(?:只有)?第一(?:个|项)和最后一(?:个|项)(?:都?(?:对|正确|是|成立))?\s*(?:[。，,；;]|$)",
    re.I,
)


def _end_run(text: str, keys: list[str]) -> list[str]:
    if _BOTH_ENDS.match(text) and len(keys) > 2:
        return [keys[0], keys[-1]]
    found = _END_RUN.match(text)
    if found is None:
        return []
    word = (found["n"] or found["en_n"]).casefold()
    count = int(word) if word.isdigit() else chinese_numeral(word) or _EN_COUNTS[word]
    if count > len(keys):
        return []
    if (found["end"] or found["en_end"].casefold()) not in ("前", "first"):
        return keys[-count:]
    last = [keys[-1]] if (found["last"] or found["en_last"]) and count < len(keys) else []
    plus = (found["plus"] or found["en_plus"] or "").upper()
    last += [plus] if plus in keys[count:] and plus not in last else []
    return keys[:count] + last  # "前两个和最后一个", "前两个加上 D"


def keys_opening_explanation(text: str, options: list[tuple[str, str]]) -> list[str]:
    """The keys an explanation right under the options opens with, when the article gives
    its answer there and nowhere else: "正确答案为 A、B 和 D。……", "应选 A、C、D。……",
    "B 和 D 正确。……", "B、C、D 都是集合通信原语，……", "除了 C，其他三个都算", "前三个都是……",
    "The answer is (b): …". Empty when it
    opens otherwise ("A 错在……" names a wrong option)."""
    keys = [key for key, _ in options]
    text = _LOWER_KEY_LIST.sub(lambda run: run[0].upper(), text, count=1)
    line = classify(0, text)
    found: list[str] = []
    if line.kind is LineKind.ANSWER and (parsed := parse_keys(line.answer_value)):
        found = parsed[0]
    elif all_are := _ALL_ARE.match(fold(text)):
        found = re.findall(r"[A-J]", all_are["keys"])
        count = all_are["count"] and chinese_numeral(all_are["count"].strip("这")[0])
        found = [] if count and count != len(found) else found
    elif _ALL_BUT.match(fold(text).strip()):  # "除了 C，其他三个都算。", "All but (d)."
        found = keys_named(text, options)
    elif _all_options(text, options):  # "四个都对，这题全选。"
        found = keys
    else:
        found = _end_run(fold(text), keys)
    found += [k for k in _also(first_clause(text)) if found and k not in found]  # ", and so is (d)"
    return sorted(found) if found and all(key in keys for key in found) else []


#: A first clause that denies, or supposes, rather than gives the key: "A 错在……", "B、C 都是干扰
#: 项", "如果选 A，……".
DENIES = re.compile(r"错|不|非|没|无|干扰|陷阱|如果|假如|要是|wrong|not|false|\bif\b", re.I)
