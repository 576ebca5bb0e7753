"""The KV-cache lab's figure: cache bytes against the formula, time per decoding step with and
without the cache, and the cache of MHA, GQA and MQA."""

from __future__ import annotations

from collections.abc import Sequence

from llmiq.labs.context import LabContext
from llmiq.labs.uncertainty import Interval


def plot_kv_cache(
    context: LabContext,
    *,
    model: str,
    tokens: Sequence[int],
    measured: Sequence[int],
    per_token: dict[str, int],
    bf16_point: tuple[int, int],
    step_positions: Sequence[int],
    uncached_ms: Sequence[float],
    cached_ms: Sequence[float],
    kv_heads: Sequence[int],
    layer_bytes: Sequence[int],
    heads: int,
    speedups: dict[str, Interval],
) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 4.2))
    size, speed, sharing = fig.subplots(1, 3)
    span = [0, max(tokens)]
    lines = (
        ("fp32, MHA (one kv head per query head)", "mha", "grey", ":"),
        ("fp32", "fp32", "tab:blue", "-"),
        ("bf16", "bf16", "tab:orange", "--"),
    )
    for label, key, colour, style in lines:
        size.plot(
            span,
            [n * per_token[key] / 2**20 for n in span],
            color=colour,
            ls=style,
            lw=1,
            label=f"formula, {label}",
        )
    size.plot(
        tokens,
        [m / 2**20 for m in measured],
        "o",
        ms=3,
        color="tab:blue",
        label="measured DynamicCache, fp32",
    )
    size.plot(
        [bf16_point[0]], [bf16_point[1] / 2**20], "s", color="tab:orange", label="measured, bf16"
    )
    size.set(
        xlabel="tokens in the cache",
        ylabel="MiB (whole batch)",
        title=f"{model}: cache bytes = formula",
    )
    size.set_xlim(left=0)
    size.set_ylim(bottom=0)
    size.legend(fontsize=7, loc="upper left")

    speed.plot(
        step_positions, uncached_ms, color="tab:red", lw=1, label="no cache: whole prefix again"
    )
    speed.plot(step_positions, cached_ms, color="tab:green", lw=1, label="KV cache: one token")
    speed.set(
        xlabel="sequence length at the step",
        ylabel="ms per step (fastest of the repeats)",
        title="Tiny GPT, greedy: time per step",
        yscale="log",
    )
    speed.legend(fontsize=7, loc="upper left")
    speed.text(
        0.98,
        0.04,
        "speed-up, 95% interval:\n"
        + "\n".join(f"{name}: {iv.format('.1f', 'x')}" for name, iv in speedups.items()),
        transform=speed.transAxes,
        ha="right",
        va="bottom",
        fontsize=7,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "grey"},
    )

    labels = [
        ("MHA" if k == heads else "MQA" if k == 1 else "GQA") + f"\n{k} kv heads" for k in kv_heads
    ]
    kib = [b / 2**10 for b in layer_bytes]
    bars = sharing.bar(range(len(kv_heads)), kib, color="tab:purple")
    mha = layer_bytes[kv_heads.index(heads)] if heads in kv_heads else layer_bytes[0]
    for bar, b in zip(bars, layer_bytes, strict=True):
        sharing.annotate(
            f"1/{mha / b:g}",
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    sharing.set_xticks(range(len(kv_heads)), labels, fontsize=8)
    sharing.set(ylabel="KiB cached by one layer", title=f"{heads} query heads: cache by kv heads")
    fig.tight_layout()
    return context.save_figure(fig, "kv_cache")
