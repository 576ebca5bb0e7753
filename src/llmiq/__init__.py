"""llmiq: LLM interview questions, answered by experiment."""

__version__ = "0.1.0"
