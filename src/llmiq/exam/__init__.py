"""Exam mode: a language model takes the quiz. ``backends`` is the plug point for models (a
base class with one scoring method and a registry by model id); ``calibration`` holds the
prompt-calibration maths (contextual calibration, permutation prior) shared with the
calibration lab."""

from llmiq.exam.backends import BACKENDS, ModelBackend, Scores, ScoringRequest

__all__ = ["BACKENDS", "ModelBackend", "Scores", "ScoringRequest"]
