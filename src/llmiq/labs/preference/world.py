"""The world both preference labs share, made from templates (no data is downloaded): 36
requests "can you <verb> the <object> ?" and six replies, three polite and three rude, over a
vocabulary of 50 *words*; the hidden rule (``politeness``) that labels preference pairs, and
the true ("gold") reward of the reward-hacking lab: the rule minus a penalty for padding."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

END = "<end>"  # ends every response
BOT = "<bot>"  # ends every prompt: "the reply starts here"

Tokens = list[int]
RewardFn = Callable[[Sequence[Tokens], Sequence[Tokens]], torch.Tensor]  # (prompts, responses)


class WordVocab:
    """Whitespace-separated words <-> ids; ``<end>`` and ``<bot>`` are always in it.

    >>> vocab = WordVocab(["sure , happy to help ."])
    >>> vocab.decode(vocab.encode("sure , happy to help . <end>"))
    'sure , happy to help . <end>'
    """

    def __init__(self, texts: Sequence[str]) -> None:
        words = sorted({w for text in texts for w in text.split()} - {END, BOT})
        self.words = [END, BOT, *words]
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    @property
    def end(self) -> int:
        return self.index[END]

    def encode(self, text: str) -> Tokens:
        return [self.index[w] for w in text.split()]

    def decode(self, ids: Sequence[int]) -> str:
        return " ".join(self.words[int(i)] for i in ids)

    def response_text(self, ids: Sequence[int]) -> str:
        """A response without its ``<end>`` (a response cut at the length limit has none)."""
        return self.decode([i for i in ids if i != self.end])


@dataclass(frozen=True)
class PreferencePair:
    prompt: Tokens  # ends with <bot>
    chosen: Tokens  # the preferred response, ends with <end>
    rejected: Tokens  # the dispreferred response, ends with <end>


# --- the world both labs use: requests and replies ------------------------------------------

VERBS = ("open", "close", "clean", "fix", "paint", "check")
OBJECTS = ("door", "window", "car", "lamp", "desk", "roof")
REQUEST = "can you {verb} the {object} ? <bot>"
REPLIES = {  # what the reference policy learns to say, half of it polite, half rude
    "polite": (
        "sure , happy to help you .",
        "of course , with great pleasure .",
        "gladly , i will happily start now .",
    ),
    "rude": (
        "no way !",
        "not my problem !",
        "no , do it yourself !",
    ),
}
#: the hidden rule's markers: every reply has two, so no single dropped word (the alignment
#: lab's noise) can change its kind, polite or rude alike
POLITE_WORDS = frozenset(
    {"sure", "certainly", "course", "happy", "glad", "gladly", "happily", "pleasure"}
)
RUDE_WORDS = frozenset({"no", "nope", "not", "way", "yourself", "problem", "concern"})
#: paraphrases that keep the meaning (the alignment lab's data augmentation draws on them)
SYNONYMS = {
    "sure": "certainly",
    "happy": "glad",
    "help": "assist",
    "gladly": "happily",
    "start": "begin",
    "no": "nope",
    "problem": "concern",
}
RAMBLE_PENALTY = 0.1  # true reward lost per word beyond the longest reply the world has


def politeness(words: Sequence[str]) -> int:
    """The hidden rule: +1 for a polite reply, -1 for a rude one, 0 for neither or both.

    >>> politeness("sure , happy to help .".split()), politeness("not my problem !".split())
    (1, -1)
    >>> politeness("sure , not my problem !".split()), politeness("i will do it".split())
    (0, 0)
    """
    polite = any(w in POLITE_WORDS for w in words)
    rude = any(w in RUDE_WORDS for w in words)
    return int(polite) - int(rude)


@dataclass(frozen=True)
class RequestWorld:
    """Requests "can you <verb> the <object> ?" and replies from templates; a seeded split of
    the 36 requests into those the preference data may use and those held out for testing."""

    vocab: WordVocab
    train_requests: tuple[tuple[str, str], ...]  # (verb, object)
    test_requests: tuple[tuple[str, str], ...]

    @property
    def longest_reply(self) -> int:
        """Words in the longest template reply (rambling starts after it)."""
        return max(len(t.split()) for kind in REPLIES.values() for t in kind)

    def prompt(self, verb: str, obj: str) -> Tokens:
        return self.vocab.encode(REQUEST.format(verb=verb, object=obj))

    def replies(self, verb: str, obj: str, kind: str) -> list[Tokens]:
        return [
            self.vocab.encode(t.format(verb=verb, object=obj) + f" {END}") for t in REPLIES[kind]
        ]

    def words(self, response: Sequence[int]) -> list[str]:
        return self.vocab.response_text(response).split()

    def judge(self, response: Sequence[int]) -> int:
        """The hidden preference rule applied to one reply (see ``politeness``)."""
        return politeness(self.words(response))

    def gold(self, response: Sequence[int]) -> float:
        """The true reward: the hidden rule, minus ``RAMBLE_PENALTY`` per word beyond the
        longest reply of the world (a rater prefers polite replies, and dislikes padding)."""
        extra = max(0, len(self.words(response)) - self.longest_reply)
        return self.judge(response) - RAMBLE_PENALTY * extra

    def sft_data(self) -> tuple[list[Tokens], list[Tokens]]:
        """Every request with each of the six replies once: half polite, half rude."""
        prompts, responses = [], []
        for verb in VERBS:
            for obj in OBJECTS:
                for kind in REPLIES:
                    for reply in self.replies(verb, obj, kind):
                        prompts.append(self.prompt(verb, obj))
                        responses.append(reply)
        return prompts, responses

    def preference_pairs(self, requests: Sequence[tuple[str, str]]) -> list[PreferencePair]:
        """Every polite reply against every rude one, labelled by the hidden rule."""
        pairs = []
        for verb, obj in requests:
            for a in self.replies(verb, obj, "polite"):
                for b in self.replies(verb, obj, "rude"):
                    chosen, rejected = (a, b) if self.judge(a) > self.judge(b) else (b, a)
                    pairs.append(PreferencePair(self.prompt(verb, obj), chosen, rejected))
        return pairs


def request_world(seed: int, held_out: int = 8) -> RequestWorld:
    requests = [(v, o) for v in VERBS for o in OBJECTS]
    order = torch.randperm(len(requests), generator=torch.Generator().manual_seed(seed)).tolist()
    texts = [REQUEST, *REPLIES["polite"], *REPLIES["rude"], " ".join(SYNONYMS.values())]
    texts += [" ".join(VERBS + OBJECTS)]
    vocab = WordVocab([t.replace("{verb}", "").replace("{object}", "") for t in texts])
    return RequestWorld(
        vocab,
        tuple(requests[i] for i in sorted(order[held_out:])),
        tuple(requests[i] for i in sorted(order[:held_out])),
    )
