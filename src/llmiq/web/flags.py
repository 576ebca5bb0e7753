"""What a person can say is wrong with a question."""

from llmiq.messages import N_

FLAG_REASONS = {
    "answer": N_("The answer is wrong"),
    "translation": N_("The translation is wrong"),
    "other": N_("Something else"),
}
MAX_COMMENT_CHARS = 2000
