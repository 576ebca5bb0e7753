"""Quiz reviews copied from learning platforms, where the page's marks give the key."""

from __future__ import annotations

from llmiq.ingest import parse_article

UDEMY = """Practice Test 3: RAG - Results
Attempt 2
50% correct (1/2)
Review questions
All questions
Skipped

Question 1
Incorrect
Which HNSW parameter trades recall against latency at query time?
Your answer is incorrect
M
efConstruction
Correct answer
efSearch (ef)
Overall explanation
efSearch sets the size of the candidate list during a query.
Domain
Vector Databases

Question 2
Correct
Which statements about Reciprocal Rank Fusion are true? (Select all that apply)
Your selection is correct
It combines result lists using ranks rather than raw scores
It requires scores normalised to [0, 1]
Correct selection
It can merge more than two result lists
Overall explanation
RRF only uses ranks.
Domain
Retrieval

Previous
Next
"""


def test_a_udemy_review_takes_its_key_from_the_marks_above_the_options() -> None:
    result = parse_article(UDEMY, name="udemy.txt", bank_id="t")
    first, second = result.bank.questions
    assert [o.text.en for o in first.options] == ["M", "efConstruction", "efSearch (ef)"]
    assert (first.answer, second.answer) == (["C"], ["A", "C"])
    assert first.explanation.en == "efSearch sets the size of the candidate list during a query."
    dumped = str(result.bank.model_dump())
    for furniture in ("Your answer is incorrect", "Correct selection", "Vector Databases", "Next"):
        assert furniture not in dumped
