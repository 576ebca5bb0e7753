"""Labs: a small, real experiment per seed question that measures the claim in its answer.

Only ``report`` and ``registry`` are imported here; each lab module imports torch itself.
"""
