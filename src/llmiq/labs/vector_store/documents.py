"""Data for the private-facts task: the internal documents of a fictional company, Corvane
Instruments, and questions whose answers are facts only those documents hold.

A document states two facts about one subject (a project, an office, an internal tool, a
client) or one policy, with names, amounts and durations drawn at random: "Project
Copperleaf is led by Noor Halvik. Its budget for this year is €415,000." Subjects are
invented compound names (320 projects, 224 offices, tools and clients), so a collection can
be made as large as needed: a dozen documents fit easily in a language model's prompt, three
hundred exceed SmolLM2's 8192-token window. A question about a subject names it ("Who leads
Project Copperleaf?"); a question about a policy rewords it ("Whom do I ask for a new
monitor?" for "Hardware orders are placed by ..."), which keyword search matches less
easily. Each question comes with three distractors drawn from the same generator as the
answer (other people of the company's thirty, other amounts in the same range), so a reader
is scored by which of four candidates it finds most likely, and one that has not read the
fact is at chance whatever it knows: the answer and its distractors are exchangeable."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np

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


def _names(first: Sequence[str], second: Sequence[str], sep: str = "") -> tuple[str, ...]:
    """Every ``first + sep + second`` compound: ``_names(["Blue"], ["finch"])`` ->
    ``('Bluefinch',)``."""
    return tuple(f"{a}{sep}{b}" for a, b in product(first, second))


PROJECTS = _names(
    ("Blue", "Copper", "Iron", "Salt", "Night", "Drift", "Lark", "Moon", "Still", "Harrow",
     "Quick", "Thistle", "Ember", "Wren", "Glass", "Amber", "Frost", "Silver", "Storm", "Hazel"),
    ("finch", "leaf", "bark", "wort", "water", "marsh", "jar", "wood", "spur", "gate", "down",
     "line", "field", "wing", "rack", "stone"),
)  # fmt: skip
OFFICES = _names(
    ("Brack", "Marrow", "Pell", "Fen", "Cald", "Sun", "Wester", "Ash", "Oak", "Kiln", "Thorn",
     "Elm", "Stan", "Hol", "Mill", "Brook"),
    ("ford", "gate", "ridge", "moor", "hollow", "by", "combe", "hurst", "wick", "ton", "field",
     "stead", "bury", "mouth"),
)  # fmt: skip
TOOLS = _names(
    ("Path", "Ledger", "Beacon", "Sort", "Tally", "Nimbus", "Roll", "Gate", "Ink", "Switch",
     "Tide", "Lantern", "Quill", "Flux", "Relay", "Anchor"),
    ("finder", "ly", "keep", "hook", "desk", "call", "house", "well", "yard", "pool", "fly",
     "board", "base", "track"),
)  # fmt: skip
CLIENTS = _names(
    ("Harlow", "Verdant", "Orrin", "Pemberton", "Kestrel", "Blythe", "Marlowe", "Sable",
     "Durnham", "Fairhaven", "Cobblestone", "Greymoor", "Aldwick", "Brenton", "Corbel",
     "Dunmore"),
    ("Shipping", "Dairy", "Aerospace", "Textiles", "Clinics", "Foods", "Rail", "Schools", "Bank",
     "Energy", "Mills", "Logistics", "Labs", "Media"),
    " ",
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
        PROJECTS,
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
        OFFICES,
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
        TOOLS,
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
        CLIENTS,
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
    id: int  # its position in the collection
    sentences: tuple[str, str]  # one private fact per sentence
    answers: tuple[str, str]  # the fact in each sentence
    kind: int  # index into KINDS
    subject: str  # "Copperleaf"; "" for a policy

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


@dataclass(frozen=True)
class Question:
    text: str
    document: int  # id of the document that answers it
    answer: str
    candidates: tuple[str, ...]  # the answer and its distractors, in random order

    @property
    def correct(self) -> int:
        """Index of the answer among the candidates."""
        return self.candidates.index(self.answer)


#: The rest of the company's documents (the large collection beyond the small one) are drawn
#: from this fixed seed: the same in every replicate, so MiniLM embeds them once per process.
#: The replicate's seed draws the small collection and the questions.
FILLER_SEED = 271_828


def make_documents(
    n_subjects: int,
    rng: np.random.Generator,
    *,
    policies: int,
    exclude: Collection[str] = (),
    first_id: int = 0,
) -> list[Document]:
    """``n_subjects`` documents spread evenly over projects, offices, tools and clients, with
    subjects drawn without replacement (none of ``exclude``), and ``policies`` of the eight
    policies drawn at random; in random order, numbered from ``first_id``. Example: ``Document(0,
    ("Project Copperleaf is led by Noor Halvik.", "Its budget for this year is €415,000."),
    ("Noor Halvik", "€415,000"), 0, "Copperleaf")``."""
    pooled = [i for i, kind in enumerate(KINDS) if kind.subjects != ("",)]
    one_off = [i for i, kind in enumerate(KINDS) if kind.subjects == ("",)]
    drawn = [(int(i), "") for i in rng.choice(one_off, size=policies, replace=False)]
    per_kind = np.diff(np.linspace(0, n_subjects, len(pooled) + 1).round()).astype(int)
    for i, count in zip(pooled, per_kind, strict=True):
        subjects = [s for s in KINDS[i].subjects if s not in exclude]
        if count > len(subjects):
            raise ValueError(f"at most {len(subjects)} documents of one kind")
        drawn += [(i, str(s)) for s in rng.choice(subjects, size=count, replace=False)]
    documents = []
    for position, j in enumerate(rng.permutation(len(drawn))):
        kind, subject = drawn[j]
        answers = tuple(fact.value(rng) for fact in KINDS[kind].facts)
        sentences = tuple(
            fact.sentence.format(subject=subject, value=value)
            for fact, value in zip(KINDS[kind].facts, answers, strict=True)
        )
        doc = Document(first_id + position, sentences, answers, kind, subject)  # type: ignore[arg-type]
        documents.append(doc)
    return documents


@functools.cache
def _filler(n_subjects: int, first_id: int) -> tuple[Document, ...]:
    return tuple(
        make_documents(n_subjects, np.random.default_rng(FILLER_SEED), policies=0,
                       first_id=first_id)
    )  # fmt: skip


def make_collections(
    small: int, large: int, rng: np.random.Generator
) -> tuple[list[Document], list[Document]]:
    """The small collection (a third of it policies, the rest subject documents, drawn by
    ``rng``, in random order; ids ``0 .. small - 1``) and the large one: the small collection
    followed by ``large - small`` subject documents drawn from :data:`FILLER_SEED`."""
    if not 0 < small <= large:
        raise ValueError(f"need 0 < small <= large, not {small} and {large}")
    filler = _filler(large - small, small)
    taken = {d.subject for d in filler}
    policies = min(round(small / 3), sum(kind.subjects == ("",) for kind in KINDS))
    documents = make_documents(small - policies, rng, policies=policies, exclude=taken)
    return documents, [*documents, *filler]


def make_questions(
    documents: Sequence[Document], rng: np.random.Generator, distractors: int = 3
) -> list[Question]:
    """One question per fact of each of ``documents``, in a wording drawn at random, with
    ``distractors`` other values from the same generator as the answer. Example:
    ``Question("Which person heads up Copperleaf?", 0, "Noor Halvik", ("Dorian Pell", "Noor
    Halvik", "Leila Strand", "Felix Ondraczek"))``."""
    questions = []
    for doc in documents:
        for fact, answer in zip(KINDS[doc.kind].facts, doc.answers, strict=True):
            others: list[str] = []
            while len(others) < distractors:
                value = fact.value(rng)
                if value != answer and value not in others:
                    others.append(value)
            candidates = [answer, *others]
            order = rng.permutation(len(candidates))
            text = str(rng.choice(fact.questions)).format(subject=doc.subject)
            questions.append(Question(text, doc.id, answer, tuple(candidates[i] for i in order)))
    return questions
