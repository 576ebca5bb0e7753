"""Write files (and folders) so that readers see the old content or the new one, never half of
either."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path

from llmiq.errors import LlmiqError
from llmiq.messages import N_

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
        raise LlmiqError(N_("{path}: is a directory; give a file name"), path=path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode) if mode is None else mode
    except FileNotFoundError:
        mode = _DEFAULT_MODE
    except OSError as exc:
        raise LlmiqError(
            N_("{path}: cannot write it ({reason})"), path=path, reason=exc.strerror or exc
        ) from None
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
        raise LlmiqError(
            N_("{path}: cannot write it ({reason})"), path=path, reason=exc.strerror or exc
        ) from None
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise


def write_folder_atomic(path: Path, files: Mapping[str, str | bytes]) -> None:
    """Write ``files`` (name: content) into a temporary folder beside ``path``, then rename it
    to ``path``: readers see no folder or a whole one.

    An existing ``path`` is replaced only when it holds nothing but files of the same names
    (an earlier export); a folder with anything else in it is refused, not deleted. Failures
    raise :class:`LlmiqError`.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise LlmiqError(N_("{path}: is a file; give a folder name"), path=path)
    if path.is_dir():
        strangers = sorted(p.name for p in path.iterdir() if p.name not in files or p.is_dir())
        if strangers:
            raise LlmiqError(
                N_("{path}: the folder holds other files ({files}); give a new folder name"),
                path=path,
                files=", ".join(strangers[:3]),
            )
    scratch: Path | None = None
    old: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        scratch.chmod(0o755)
        for name, data in files.items():
            target = scratch / name
            target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
            target.chmod(_DEFAULT_MODE)
        if path.is_dir():  # set aside, then swapped: a failed rename leaves the old folder
            old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
            os.replace(path, old / path.name)
        os.replace(scratch, path)
        scratch = None
    except OSError as exc:
        raise LlmiqError(
            N_("{path}: cannot write it ({reason})"), path=path, reason=exc.strerror or exc
        ) from None
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
        if old is not None:
            if not path.exists():  # interrupted between the two renames: put the old one back
                os.replace(old / path.name, path)
            shutil.rmtree(old, ignore_errors=True)
