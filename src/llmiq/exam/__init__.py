"""Exam mode: a language model takes the quiz. ``calibration`` holds the prompt-calibration
maths (contextual calibration, permutation prior) shared with the calibration lab."""
