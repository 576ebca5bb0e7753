"""The quantization lab's configuration: the full run, and the seconds-long ``fast()`` one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Config:
    # Sizes fixed a priori (nothing here was chosen by looking at results): per seed and
    # language, 4 windows of 32 predictions drawn from the seed bank's explanations; 3 seeds
    # score 768 positions per scheme (the one-seed run before scored 512 at the text's start).
    windows: int = 4  # text windows per language and seed, at random distinct starts
    window_tokens: int = 32  # next-token predictions per window (33 tokens of text)
    languages: tuple[str, ...] = ("en", "zh")  # the same ten explanations, English and Chinese
    schemes: tuple[str, ...] = (  # measured besides fp32 (the claims' three are always added)
        "fp16",
        "int8/channel",
        "int8/tensor",
        "int4/g32",
        "int4/g64",
        "int4/channel",
        "int2/g32",
    )
    group_size: int = 32  # the int4 groups the claims compare (GGUF's Q4_0 block size)
    scale_bytes: int = 2  # bytes per stored scale (fp16, as GGUF and most int4 formats)
    scale_multiplier: float = 1.0  # every scale times this; != 1 is a broken set-up (clipping)
    check_stride: int = 1  # every n-th linear layer checked against PyTorch and for its grid

    @classmethod
    def fast(cls) -> Config:
        return cls(windows=3, schemes=("int8/channel", "int8/tensor", "int4/g32"), check_stride=7)

    def measured_schemes(self) -> list[str]:
        """The schemes the run measures: the claims' three first, then the rest in order."""
        needed = ["int8/channel", "int8/tensor", f"int4/g{self.group_size}"]
        return list(dict.fromkeys([*needed, *self.schemes]))
