"""Data for task (b): the private documents of a fictional company, and questions whose
answers are facts only those documents hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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
