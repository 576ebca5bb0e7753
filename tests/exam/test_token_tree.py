"""Packing scoring requests into token trees: each distinct prefix is one node, every target
points at the nodes that spell its own sequence, and rows keep to their limits."""

from __future__ import annotations

from llmiq.exam.token_tree import EncodedRequest, PackedRow, pack

HEADER = [1, 2, 3]


def spelled(row: PackedRow, node: int) -> list[int]:
    """The tokens from the root down to ``node``: the sequence the node's output depends on."""
    tokens = []
    while node >= 0:
        tokens.append(row.tokens[node])
        node = row.parents[node]
    return tokens[::-1]


def letters(context: list[int]) -> EncodedRequest:
    return EncodedRequest(context, [[90], [91], [92]])


def test_a_shared_header_and_a_shared_context_run_once() -> None:
    requests = [
        letters([*HEADER, 10, 11]),
        letters([*HEADER, 20]),
        EncodedRequest([*HEADER, 10, 12], [[7, 8, 9], [7, 8, 5], [6]]),
    ]
    (row,) = pack(requests, size=100, scored=100, branches=lambda r: True)
    # 3 header + [10] + [11] + [20] + [12] + the cloze branch 7 -> 8 (5 and 9 are only scored)
    assert len(row) == 9
    assert not row.is_chain
    assert [row.depths[n] for n in range(len(row))] == [
        len(spelled(row, n)) - 1 for n in range(len(row))
    ]


def test_every_target_is_scored_after_exactly_its_own_prefix() -> None:
    requests = [
        EncodedRequest([*HEADER, 10, 12], [[7, 8, 9], [7, 8, 5], [6]]),
        letters([*HEADER, 10, 11]),
        EncodedRequest([4], [[5, 6]]),
    ]
    rows = list(pack(requests, size=100, scored=100, branches=lambda r: True))
    seen = set()
    for row in rows:
        for target in row.targets:
            request = requests[target.request]
            continuation = request.continuations[target.option]
            assert list(target.tokens) == continuation
            for i, node in enumerate(target.nodes):
                assert spelled(row, node) == request.context + continuation[:i]
            seen.add((target.request, target.option))
    assert seen == {(r, o) for r, q in enumerate(requests) for o in range(len(q.continuations))}


def test_rows_keep_to_their_size_and_scored_positions() -> None:
    requests = [letters([i, i + 1, i + 2, i + 3]) for i in range(0, 400, 4)]
    rows = list(pack(requests, size=10, scored=100, branches=lambda r: True))
    assert all(len(row) <= 10 for row in rows)
    assert sum(len(row.targets) for row in rows) == 3 * len(requests)
    rows = list(pack(requests, size=1000, scored=7, branches=lambda r: True))
    assert all(len(row.scored_nodes()) <= 7 for row in rows)
    assert len(rows) == -(-len(requests) // 7)  # the three letters of a request share a node


def test_a_request_larger_than_a_row_gets_a_row_of_its_own() -> None:
    big = letters(list(range(50)))
    rows = list(
        pack([letters([7, 8]), big, letters([9])], size=10, scored=5, branches=lambda r: True)
    )
    assert [len(row) for row in rows] == [50, 3]  # the long one first (token order)


def test_requests_that_cannot_branch_run_as_plain_sequences() -> None:
    request = EncodedRequest(HEADER, [[7, 8, 9], [7, 8, 5], [6], [4]])
    rows = list(pack([request], size=100, scored=100, branches=lambda r: False))
    assert all(row.is_chain for row in rows)
    # the sequences: HEADER+[7, 8] (twice, one row) and HEADER for the one-token options
    assert sorted(row.tokens for row in rows) == [HEADER, [*HEADER, 7, 8]]
    assert sorted(len(row.targets) for row in rows) == [2, 2]


def test_added_counts_what_insert_creates() -> None:
    row = PackedRow()
    row.insert([*HEADER, 5, 6])
    sequences = [[*HEADER, 5, 7, 8], [*HEADER, 5, 7, 9], [1, 4]]
    planned = row.added(sequences)
    before = len(row)
    for sequence in sequences:
        row.insert(sequence)
    assert planned == len(row) - before == 4
