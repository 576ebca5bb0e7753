"""The scaling lab's figure: learning curves by size, the fitted L(N), and the isoFLOP
curve."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.ticker import NullFormatter

from llmiq.labs.context import LabContext, pyplot
from llmiq.labs.scaling.claims import UNIFORM, _k
from llmiq.labs.scaling.fitting import PowerLawFit
from llmiq.labs.uncertainty import Interval


def plot_scaling(
    context: LabContext,
    names: Sequence[str],
    n_params: Sequence[int],
    tokens: Sequence[int],
    held_out: Sequence[Sequence[float]],
    unigram: float,
    seed_curves: Sequence[Sequence[Sequence[float]]],
    fit: PowerLawFit | None,
    alpha: Interval | None,
    isoflop: tuple[Sequence[int], Sequence[int], Sequence[float], float] | None,
) -> str:
    """Left: held-out loss against tokens seen, one line per size, the mean over seeds
    (log-log; step 0 is the dotted ln 256 line), each seed's own curve thin beside it.
    Middle: final loss against N (each seed a small dot) with the fitted curve. Right, when
    measured: final loss against N at one compute budget."""
    plt = pyplot()
    panels = 3 if isoflop is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.6 * panels, 4.0))
    colors = plt.get_cmap("viridis")(np.linspace(0.0, 0.85, len(names)))

    curves = axes[0]
    for name, n, curve, color in zip(names, n_params, held_out, colors, strict=True):
        curves.plot(tokens[1:], curve[1:], "o-", ms=3, color=color, label=f"{name} (N={_k(n)})")
    for size_curves, color in zip(seed_curves, colors, strict=True):
        for curve in size_curves:
            curves.plot(tokens[1:], curve[1:], "-", lw=0.5, alpha=0.5, color=color)
    curves.axhline(UNIFORM, color="grey", ls=":", lw=1, label="ln 256 (step 0)")
    curves.axhline(unigram, color="grey", ls="--", lw=1, label="byte frequencies only")
    curves.set(xscale="log", yscale="log", xlabel="tokens seen", ylabel="held-out loss (nats/byte)")
    shown = [v for curve in held_out for v in curve[1:]]
    ticks = [v for v in (1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0) if min(shown) <= v <= UNIFORM]
    curves.set_yticks(ticks, [f"{v:g}" for v in ticks])
    curves.yaxis.set_minor_formatter(NullFormatter())
    curves.set_xticks(tokens[1:], [_k(t) for t in tokens[1:]], fontsize=8)
    curves.xaxis.set_minor_formatter(NullFormatter())
    curves.set_title("Same tokens, larger model, lower loss")
    curves.legend(fontsize=7)
    curves.grid(alpha=0.3, which="both")

    law = axes[1]
    finals = [curve[-1] for curve in held_out]
    law.scatter(n_params, finals, c=colors, zorder=3, label="measured (mean of seeds)")
    for n, size_curves, color in zip(n_params, seed_curves, colors, strict=True):
        ends = [curve[-1] for curve in size_curves]
        law.scatter([n] * len(ends), ends, s=8, color=color, alpha=0.6, zorder=2)
    if fit is not None:
        grid = np.geomspace(min(n_params) / 1.5, max(n_params) * 3, 100)
        law.plot(
            grid,
            fit.predict(grid),
            color="tab:red",
            lw=1.2,
            label=f"E + A/N^alpha: E={fit.E:.2f}, alpha="
            f"{alpha.format('.3f') if alpha is not None else f'{fit.alpha:.3f}'}, R^2={fit.r2:.3f}",
        )
        if fit.E > 0:
            law.axhline(fit.E, color="tab:red", ls="--", lw=1, label=f"E = {fit.E:.2f}")
    law.set(xscale="log", xlabel="non-embedding parameters N", ylabel="final held-out loss")
    law.set_title(f"Final loss vs N after {_k(tokens[-1])} tokens")
    law.legend(fontsize=7)
    law.grid(alpha=0.3, which="both")

    if isoflop is not None:
        iso_n, iso_d, iso_loss, compute = isoflop
        iso = axes[2]
        iso.plot(iso_n, iso_loss, "o-", color="tab:purple")
        for n, d, v in zip(iso_n, iso_d, iso_loss, strict=True):
            iso.annotate(
                f"D={_k(d)}", (n, v), textcoords="offset points", xytext=(4, 4), fontsize=7
            )
        iso.set(xscale="log", xlabel="non-embedding parameters N", ylabel="final held-out loss")
        iso.set_title(f"One compute budget, C = 6ND = {compute:.2g}")
        iso.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return context.save_figure(fig, "scaling")
