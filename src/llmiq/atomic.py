"""Write files so that readers see the old content or the new one, never half of either."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from llmiq.errors import LlmiqError

_DEFAULT_MODE = 0o644


def write_atomic(path: Path, data: str | bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, then rename it.

    The rename is atomic on POSIX and Windows, so an interrupted write leaves ``path`` as it
    was and no stray partial file behind. A replaced file keeps its permissions; a new one
    gets 0644 (``mkstemp`` alone would leave 0600), or ``mode`` when given (which also applies
    to a replaced file). Failures raise :class:`LlmiqError`.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_dir():
        raise LlmiqError(f"{path}: is a directory; give a file name")
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if mode is None else mode
    except FileNotFoundError:
        mode = _DEFAULT_MODE
    except OSError as exc:
        raise LlmiqError(f"{path}: cannot write it ({exc.strerror or exc})") from None
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise LlmiqError(f"{path}: cannot write it ({exc.strerror or exc})") from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
