"""Labs: a small, real experiment per seed question that measures the claim in its answer.

A lab keeps the contract in ``llmiq.labs.contract`` and is registered by its card, one line
in ``llmiq.labs.registry.LABS``; ``llmiq.labs.runner.run_lab`` runs it. Nothing is imported
here: the registry, contract and runner are torch-free, and each lab imports torch itself.
"""
