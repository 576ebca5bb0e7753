"""Where a web server's CPU goes, layer by layer: server CPU time per request from /proc, and
py-spy samples of the server sorted into the layers a request passes through.

Used by ``web_load.py --profile``. py-spy is not a dependency of llmiq: ``pip install py-spy``
(it attaches to the running server with ptrace, which needs root or
``kernel.yama.ptrace_scope = 0``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections import Counter
from pathlib import Path

# Frames that mark a layer, most specific first: a sample belongs to the first layer whose
# marker is somewhere in its stack.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("answer recording thread", ("AnswerRecorder._run",)),
    ("endpoint (grading, response)", ("run_endpoint_function", "serialize_response")),
    ("dependencies + body validation", ("solve_dependencies",)),
    ("FastAPI request handler", ("get_request_handler.<locals>.app",)),
    ("routing", ("Router.__call__",)),
    ("middlewares", ("Starlette.__call__", "FastAPI.__call__")),
    ("uvicorn, HTTP parsing, event loop", ()),
)


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children that have been waited for,
    plus its live children (uvicorn's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")

    def own(p: int) -> float:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            return 0.0
        # utime, stime, cutime, cstime are fields 14-17 (1-based), 12-15 after the name
        return sum(int(value) for value in fields[11:15]) / tick

    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            children += [int(c) for c in (task / "children").read_text().split()]
    return own(pid) + sum(own(child) for child in children)


# Leaf frames of a thread that waits (py-spy counts a wait inside C code as running): the
# recorder blocked on its queue, the event loop in epoll, idle threads of the pool.
WAITING = (
    "AnswerRecorder._run ",
    "Runner.run ",
    "run_until_complete ",
    "select ",
    "Condition.wait ",
)


def layer_of(frames: list[str]) -> str | None:
    """The layer a sample belongs to, or None for a thread that is only waiting."""
    if frames and frames[-1].startswith(WAITING):
        return None
    for layer, markers in LAYERS:
        if not markers:
            return layer
        if any(marker in frame for frame in frames for marker in markers):
            return layer
    raise AssertionError("the last layer has no markers and takes everything")


def shares(raw: str) -> Counter[str]:
    """Samples per layer from py-spy's ``--format raw`` output (collapsed stacks)."""
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, number = line.rpartition(" ")
        if stack and number.isdigit():
            layer = layer_of(stack.split(";"))
            counts[layer or "waiting"] += int(number)
    return counts


class Sampler:
    """py-spy on a server for a window that starts ``delay`` seconds from ``start()``."""

    def __init__(self, pid: int, delay: float, seconds: float) -> None:
        self.pid, self.delay, self.seconds = pid, delay, seconds
        self._folder = tempfile.TemporaryDirectory()
        self._output = Path(self._folder.name) / "samples.txt"
        self._process: subprocess.Popen[bytes] | None = None
        self._timer: threading.Timer | None = None

    @staticmethod
    def available() -> str | None:
        """None, or the sentence saying why profiling cannot run."""
        if shutil.which("py-spy") is None:
            return "--profile needs py-spy on the PATH (pip install py-spy)"
        return None

    def start(self) -> None:
        self._timer = threading.Timer(self.delay, self._launch)
        self._timer.start()

    def _launch(self) -> None:
        command = ["py-spy", "record", "--pid", str(self.pid), "--duration"]
        command += [str(max(1, round(self.seconds))), "--rate", "250", "--threads"]
        command += ["--subprocesses", "--nonblocking", "--format", "raw"]
        command += ["--output", str(self._output)]
        self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def finish(self) -> Counter[str]:
        if self._timer is not None:
            self._timer.join()
        try:
            if self._process is None:
                return Counter()
            _, error = self._process.communicate(timeout=self.seconds + 30)
            if self._process.returncode != 0 or not self._output.exists():
                raise SystemExit(f"py-spy failed: {error.decode(errors='replace').strip()}")
            return shares(self._output.read_text())
        finally:
            self._folder.cleanup()


def report(name: str, counts: Counter[str], cpu_ms_per_request: float | None) -> list[str]:
    """Lines of a table: each layer's share of the samples and of the CPU per request."""
    total = sum(n for layer, n in counts.items() if layer != "waiting")
    if not total:
        return [f"{name}: no samples"]
    lines = [
        f"{name}: where the server's CPU goes ({total:,} samples at work, "
        f"{counts['waiting']:,} waiting left out)"
    ]
    lines.append(f"  {'layer':<36} {'share':>6} {'ms/request':>11}")
    for layer, _ in LAYERS:
        share = counts[layer] / total
        per = "-" if cpu_ms_per_request is None else f"{share * cpu_ms_per_request:.3f}"
        lines.append(f"  {layer:<36} {share:>6.0%} {per:>11}")
    return lines
