"""Files written atomically, with the permissions any other file gets.

A temporary file in the target's folder is written in full and then renamed over the target,
so a reader never sees half a file and an old file is never lost to a failed write. A folder,
a read-only file or a failed write is refused with a :class:`~gdlab.errors.ConfigError` that
names the path. The
temporary file is created private (``tempfile.mkstemp`` gives mode 0600); before the rename it
gets ``0666`` less the process umask — ``0644`` under the usual umask 022 — as ``open()`` would
have given it.
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import Callable

from .errors import ConfigError

__all__ = ["write_atomic", "replace_atomic", "default_mode", "output_target", "OUTPUTS",
           "suffix_names"]

#: the files each kind of output is written as (the first: what a name without one gets)
OUTPUTS = {"figure": (".png", ".svg", ".pdf"), "animation": (".gif", ".mp4"),
           "interactive": (".html",), "record": (".json", ".csv"), "sweep": (".parquet",)}

_UMASK_LOCK = threading.Lock()


def default_mode() -> int:
    """``0o666 & ~umask``: the mode ``open(path, "w")`` gives a new file."""
    with _UMASK_LOCK:  # reading the umask means setting it; no other thread sees the change
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def suffix_names(kind: str, upper: bool = False) -> str:
    """A kind of output's suffixes in words: ``.png, .svg or .pdf`` (``PNG, SVG or PDF``)."""
    names = [s.lstrip(".").upper() if upper else s for s in OUTPUTS[kind]]
    return " or ".join(filter(None, [", ".join(names[:-1]), names[-1]]))


def output_target(path: str | os.PathLike, kind: str, what: str) -> Path:
    """The file ``path`` if it ends in one of the ``kind`` of output's suffixes
    (:data:`OUTPUTS`) and its folder exists, else a one-line refusal naming ``what`` is
    written — asked before any work, so that nothing is computed for a file that cannot be
    written (and no folder is made)."""
    target = Path(path)
    if target.suffix.lower() not in OUTPUTS[kind]:
        raise ConfigError(f"{what} must end in {suffix_names(kind)}; got {target.name!r}")
    if not target.parent.is_dir():
        raise ConfigError(f"folder {str(target.parent)!r} does not exist")
    return target


def replace_atomic(target: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` to fill a temporary file (same folder and suffix as ``target``),
    then move it over ``target``. On any error the target is untouched and the temporary file
    removed."""
    target = Path(target)
    if target.is_dir():
        raise ConfigError(f"cannot write {str(target)!r}: it is a folder")
    if target.exists() and not target.stat().st_mode & 0o222:  # read-only, even for root
        raise ConfigError(f"cannot write {str(target)!r}: the file is read-only")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix,
                                    dir=target.parent)
    except OSError as exc:
        raise ConfigError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.chmod(tmp, default_mode())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"cannot write {str(target)!r}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_atomic(target: str | os.PathLike, data: str | bytes) -> Path:
    """Write text (UTF-8, newlines as given) or bytes to ``target`` atomically."""
    def write(tmp: Path) -> None:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(data)

    return replace_atomic(target, write)
