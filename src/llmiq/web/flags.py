"""What a person can say is wrong with a question."""

FLAG_REASONS = {
    "answer": "The answer is wrong",
    "translation": "The translation is wrong",
    "other": "Something else",
}
MAX_COMMENT_CHARS = 2000
