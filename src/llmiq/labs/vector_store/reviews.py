"""Data for task (a): product reviews from templates, their sentiment in the text itself,
with train and test words kept apart."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
