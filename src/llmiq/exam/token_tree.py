"""Scoring requests packed into token trees, so that every distinct prefix runs once.

A request is a context and its continuations (answer options). Its log-likelihoods need the
model's next-token distribution after the context and after each continuation token but
the last. lm-eval runs context + continuation once per option, padded into batches. Here the
sequences of many requests are merged into one tree per row, a node per distinct prefix:
the prompt header every question starts with, a context shared by its options, the first
words options have in common. A row runs as one sequence whose attention mask lets each node
see exactly its ancestors (its own sequence), with each node's depth as its position, so each
node's output is what the unpacked sequence would give, and nothing is padding.

The packing is plain Python; :mod:`llmiq.exam.hf_backend` runs the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EncodedRequest:
    """One request as token ids: the shared context and each continuation's own tokens."""

    context: list[int]
    continuations: list[list[int]]

    def sequences(self) -> list[list[int]]:
        """What must run: the context, and under it each continuation but its last token."""
        return [self.context + tokens[:-1] for tokens in self.continuations]

    @property
    def depth(self) -> int:
        """The longest sequence this request runs."""
        return max(len(s) for s in self.sequences())


@dataclass(frozen=True)
class Target:
    """One option to score: ``tokens[i]`` is scored by the distribution at ``nodes[i]``."""

    request: int
    option: int
    nodes: tuple[int, ...]
    tokens: tuple[int, ...]


@dataclass
class PackedRow:
    """Token-tree nodes in an order where each parent comes before its children."""

    tokens: list[int] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)  # -1 for a root
    depths: list[int] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    _children: dict[tuple[int, int], int] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def is_chain(self) -> bool:
        """One plain sequence: the model's own causal mask is the tree's."""
        return all(parent == node - 1 for node, parent in enumerate(self.parents))

    def scored_nodes(self) -> list[int]:
        """The nodes whose next-token distribution some target needs, in order."""
        return sorted({node for target in self.targets for node in target.nodes})

    def added(self, sequences: Sequence[Sequence[int]]) -> int:
        """How many nodes inserting ``sequences`` would add."""
        planned: dict[tuple[int, int], int] = {}
        for sequence in sequences:
            parent = -1
            for token in sequence:
                key = (parent, token)
                node = self._children.get(key, planned.get(key))
                if node is None:
                    node = planned[key] = -2 - len(planned)  # a placeholder, not a real node
                parent = node
        return len(planned)

    def insert(self, sequence: Sequence[int]) -> list[int]:
        """The nodes of ``sequence``, creating those not in the tree yet."""
        nodes: list[int] = []
        parent = -1
        for token in sequence:
            node = self._children.get((parent, token))
            if node is None:
                node = self._children[(parent, token)] = len(self.tokens)
                self.tokens.append(token)
                self.parents.append(parent)
                self.depths.append(len(nodes))
            nodes.append(node)
            parent = node
        return nodes

    def add(self, index: int, request: EncodedRequest) -> None:
        """Insert ``request`` (number ``index`` of the caller's list) and its targets."""
        start = len(request.context) - 1
        for option, (sequence, tokens) in enumerate(
            zip(request.sequences(), request.continuations, strict=True)
        ):
            nodes = self.insert(sequence)[start:]
            self.targets.append(Target(index, option, tuple(nodes), tuple(tokens)))


def pack(
    requests: Sequence[EncodedRequest],
    *,
    size: int,
    scored: int,
    branches: Callable[[EncodedRequest], bool],
) -> list[PackedRow]:
    """``requests`` packed into rows of at most ``size`` nodes and ``scored`` scored nodes
    (a request larger than that gets a row of its own).

    Best fit, largest first: each request goes to the row it adds fewest nodes to (the one
    sharing most of its prefix: the same question with its options in another order, say),
    the fullest of those on a tie, so that rows come out nearly full and side-by-side rows
    pad little. A request for which ``branches`` is false (the model could not run its tree
    exactly, e.g. a sliding attention window shorter than it) runs as plain sequences, one
    row per distinct sequence.
    """
    rows: list[PackedRow] = []
    chains: list[PackedRow] = []
    order = sorted(range(len(requests)), key=lambda i: -requests[i].depth)
    for index in order:
        request = requests[index]
        if not branches(request):
            chains += _chains(index, request)
            continue
        sequences = request.sequences()
        needed = len({tuple(c[:i]) for c in request.continuations for i in range(len(c))})
        best: tuple[int, int, PackedRow] | None = None
        for row in rows:
            cost = row.added(sequences)
            fits = len(row) + cost <= size and len(row.scored_nodes()) + needed <= scored
            if fits and (best is None or (cost, -len(row)) < best[:2]):
                best = (cost, -len(row), row)
        if best is None:
            rows.append(PackedRow())
            best = (0, 0, rows[-1])
        best[2].add(index, request)
    return sorted(rows, key=len, reverse=True) + chains


def _chains(index: int, request: EncodedRequest) -> Iterator[PackedRow]:
    rows: dict[tuple[int, ...], PackedRow] = {}
    start = len(request.context) - 1
    for option, (sequence, tokens) in enumerate(
        zip(request.sequences(), request.continuations, strict=True)
    ):
        row = rows.setdefault(tuple(sequence), PackedRow())
        nodes = row.insert(sequence)[start:]
        row.targets.append(Target(index, option, tuple(nodes), tuple(tokens)))
    yield from rows.values()
