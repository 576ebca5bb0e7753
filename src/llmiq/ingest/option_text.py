"""An answer that names an option by what the option says rather than by its key: its whole
text ("Paris"), the start of it ("Your application code. …"), its place ("the second one"),
a part of it, its number ("≈20 tokens per parameter" for "about 20"), or the same in other
words. Each returns the matching keys, empty when none or several options match."""

from __future__ import annotations

import re

from llmiq.ingest.lines import fold


def normalise(text: str) -> str:
    return re.sub(r"[\W_]+", "", fold(text)).casefold()


#: What a true/false question's options and keys say, in words or marks: "对", "正确", "√",
#: "True" against "错", "错误", "×", "False".
TRUE_WORDS = frozenset(
    {"正确", "对", "是", "√", "✓", "✔", "t", "true", "yes", "y", "right", "correct"}
)
FALSE_WORDS = frozenset(
    {"错误", "错", "否", "×", "✗", "✘", "x", "f", "false", "no", "n", "wrong", "incorrect"}
)
#: A remark in brackets ending an option or an answer: "负无穷（或一个很大的负数）".
_TRAILING_REMARK = re.compile(r"(?<=\S)\s*[（(][^()（）]+[)）]\s*$")


def remark_after_text(value: str, options: list[tuple[str, str]]) -> str:
    """The remark in brackets after an option's text given as the answer, which explains it:
    "(2 for weights, …)" after "16 bytes"; empty when the option's own text holds it."""
    remark = _TRAILING_REMARK.search(value)
    own = {normalise(text) for _, text in options}
    return remark.group().strip() if remark and normalise(value) not in own else ""


def match_option_text(value: str, options: list[tuple[str, str]]) -> list[str]:
    """The options whose text is ``value``'s, or is it before a remark in brackets; or
    whose text is ``value``'s before its remark ("16 bytes (2 for weights, …)")."""
    for said in dict.fromkeys((value, _TRAILING_REMARK.sub("", value))):
        wanted = normalise(said)
        if found := [
            key
            for key, text in options
            if wanted and wanted in (normalise(text), normalise(_TRAILING_REMARK.sub("", text)))
        ]:
            return found
    return []


_FIRST_CLAUSE = re.compile(
    r"^(?P<head>.+?)(?:[。;；，]|[.,](?=\s|$)|\s[—–-]+\s)\s*(?P<rest>.*)$", re.S
)


def match_option_texts(value: str, options: list[tuple[str, str]]) -> list[str]:
    """The options an answer lists by their texts: "Masked self-attention, Residual
    connections" -> ``["A", "D"]``, also before a remark in brackets ("LoRA、Adapter（全参
    微调不算）"); empty unless every listed part is one option's text."""
    for said in dict.fromkeys((value, _TRAILING_REMARK.sub("", value))):
        parts = [p for p in re.split(r"\s*(?:[,;，；、]|\band\b|和)\s*", said.strip(" .。")) if p]
        found = [match_option_text(part, options) for part in parts]
        if len(parts) < 2 or not all(len(keys) == 1 for keys in found):
            continue
        keys = [keys[0] for keys in found]
        return sorted(set(keys)) if len(set(keys)) == len(keys) else []
    return []


def match_option_prefix(value: str, options: list[tuple[str, str]]) -> tuple[list[str], str]:
    """An answer that gives an option's text (or its beginning) and then says why:
    ``"Faithfulness。Recall@k measures retrieval"`` -> ``(["B"], "Recall@k measures
    retrieval")``; ``([], value)`` when its first clause is no option's text."""
    match = _FIRST_CLAUSE.match(value.strip())
    if match:
        keys = match_option_text(match["head"], options) or _option_starting(match["head"], options)
        if keys:
            return keys, match["rest"].strip()
    return [], value


def _option_starting(head: str, options: list[tuple[str, str]]) -> list[str]:
    """The one option whose text begins with ``head`` (ten letters or more, five Chinese
    characters): "Your application code. …" names "Your application code, after the model
    returns …"."""
    wanted = normalise(head)
    if len(wanted) < (5 if re.search(r"[\u4e00-\u9fff]", wanted) else 10):
        return []
    found = [key for key, text in options if normalise(text).startswith(wanted)]
    return found if len(found) == 1 else []


_ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5}
_ORDINALS |= {"1st": 0, "2nd": 1, "3rd": 2, "4th": 3, "5th": 4, "6th": 5}
_ORDINALS |= {c: n for n, c in enumerate("一二三四五六")} | {str(n + 1): n for n in range(6)}
#: "the second one", "the last option", "2nd choice", "第二个（选项）": an option by its place.
_ORDINAL = re.compile(
    r"^\s*(?:(?:the\s+)(?P<the>first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|4th|5th|6th)"
    r"(?:\s+(?:one|option|choice|answer|bullet|item))?"
    r"|(?P<word>first|second|third|fourth|fifth|sixth|last|1st|2nd|3rd|4th|5th|6th)"
    r"\s+(?:one|option|choice|bullet|item))(?![\w-])"
    r"(?!\s+(?:two|three|four|five|six|[2-6])\b)(?P<rest>.*)$"  # not "the first two": a run
    r"|^\s*(?:选)?第\s*(?P<zh>[一二三四五六1-6])\s*(?:个|项|条)(?:选项)?(?P<zrest>.*)$",
    re.I | re.S,
)


def match_option_ordinal(value: str, options: list[tuple[str, str]]) -> tuple[list[str], str]:
    """An answer that names an option by its place: ``"the second one — because …"`` ->
    ``(["B"], "because …")``; ``([], value)`` otherwise."""
    found = _ORDINAL.match(value)
    if found is None:
        return [], value
    word = (found["the"] or found["word"] or found["zh"]).lower()
    place = len(options) - 1 if word == "last" else _ORDINALS[word]
    if place >= len(options):
        return [], value
    rest = (found["rest"] if found["zh"] is None else found["zrest"]) or ""
    return [options[place][0]], rest.strip().lstrip(".。:：、,，;；—–- ").strip()


def match_option_opening(value: str, options: list[tuple[str, str]]) -> list[str]:
    """The one option whose text opens with the short answer's words: "L × W" names "L × W
    tokens" (too few letters for a fragment). Empty when none, or several, do."""
    wanted = " ".join(value.split()).casefold().rstrip(" .。")
    if len(wanted) < 3:
        return []
    found = [k for k, t in options if f"{' '.join(t.split()).casefold()} ".startswith(f"{wanted} ")]
    return found if len(found) == 1 else []


def match_option_fragment(value: str, options: list[tuple[str, str]]) -> list[str]:
    """The one option whose text holds the whole of ``value`` (four characters or more):
    an answer key that quotes an option in short. Empty when none, or several, do."""
    wanted = normalise(value)
    if len(wanted) < 4:
        return []
    found = [key for key, text in options if wanted in normalise(text)]
    return found if len(found) == 1 else []


def _content_words(text: str) -> set[str]:
    """Words of three letters or more, and pairs of Chinese characters."""
    folded = fold(text).casefold()
    chinese = re.sub(r"[^\u4e00-\u9fff]", "", folded)
    pairs = {chinese[i : i + 2] for i in range(len(chinese) - 1)}
    return set(re.findall(r"[a-z0-9]{3,}", folded)) | pairs


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def match_option_number(value: str, options: list[tuple[str, str]]) -> list[str]:
    """The one option that gives the same numbers as a short answer: "≈20 tokens per
    parameter" -> the option "about 20" among "about 1", "about 5", "about 200". Empty when
    the answer has no number, or not exactly one option matches."""
    wanted = set(_NUMBER.findall(fold(value)))
    if not wanted or len(value) > 60:
        return []
    found = [key for key, text in options if set(_NUMBER.findall(fold(text))) == wanted]
    return found if len(found) == 1 else []


def match_option_paraphrase(value: str, options: list[tuple[str, str]]) -> list[str]:
    """The option an answer restates in its own words: nearly all of the answer's words are
    in it, and clearly fewer in any other ("models use information at the beginning and end
    much better" -> "Models use information at the beginning and end of a long context much
    better than …"). Empty when no option stands out."""
    wanted = _content_words(first_clause(value))
    if len(wanted) < 4 or len(options) < 2:
        return []
    scores = sorted(
        ((len(wanted & _content_words(text)) / len(wanted), key) for key, text in options),
        reverse=True,
    )
    (best, key), (second, _) = scores[0], scores[1]
    return [key] if best >= 0.75 and best - second >= 0.3 else []


_CLAUSE_END = re.compile(r"[;；。]|\.(?:\s|$)|\s(?:[—–]+|--?)\s")


def first_clause(text: str) -> str:
    """Up to the first full stop or semicolon ("i.e." and "e.g." do not end it): keys named
    after it are usually the wrong options being explained."""
    unabbreviated = re.sub(r"\b(i\.e|e\.g|vs|etc)\.", lambda m: m[1].replace(".", " ") + " ", text)
    return _CLAUSE_END.split(unabbreviated, maxsplit=1)[0]
