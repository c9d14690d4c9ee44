"""Write output files so that a reader never sees half of one.

Every writer in solarplan writes to a hidden temporary name in the target folder
(``.NAME.<pid>.part<ext>``) and renames it over the target only when the file is
complete (``os.replace``, atomic on one filesystem). An error, a full disk or an
interrupt (Ctrl-C, SIGINT) removes the temporary file, so a file that exists under
its real name is always whole. Operating-system errors (folder is a file, no
permission, read-only, disk full) become :class:`~solarplan.core.errors.OutputError`
with the path and the fix, which the CLI prints with exit status 2.

References
----------
.. [1] POSIX ``rename(2)``: replaces the target atomically when both are on one filesystem;
   Python's ``os.replace`` does the same on Windows.
"""
from __future__ import annotations

import errno
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from solarplan.core.errors import OutputError

PART = ".part"


def temp_name(path: Path) -> Path:
    """The hidden temporary name used while ``path`` is written (same folder, same extension)."""
    return path.with_name(f".{path.stem}.{os.getpid()}{PART}{path.suffix}")


def output_error(exc: OSError, path: Path) -> OutputError:
    """An OutputError naming ``path`` and the fix for an operating-system error."""
    path = Path(path)
    code = getattr(exc, "errno", None)
    if isinstance(exc, IsADirectoryError) or (code == errno.EISDIR):
        return OutputError(f"{path}: is a folder; give a file name such as {path / 'results.csv'}")
    if isinstance(exc, NotADirectoryError) or code == errno.ENOTDIR:
        return OutputError(f"{path}: a part of this path is a file, not a folder; choose another --out")
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return OutputError(f"{path}: the disk is full; nothing was left half-written. Free some space or choose "
                           "another --out")
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"{path}: cannot write here (no permission or a read-only disk); choose a folder you "
                           "can write to with --out")
    if isinstance(exc, FileExistsError):
        return OutputError(f"{path}: exists and is in the way; remove it or choose another --out")
    return OutputError(f"{path}: cannot write ({exc.strerror or exc}); choose another --out")


def ensure_folder(folder: str | Path) -> Path:
    """Create ``folder`` (and parents) or raise OutputError saying why it cannot be used."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file, but a folder is needed here; give a folder name with --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(exc, folder) from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: cannot write here (no permission or a read-only disk); choose a folder you "
                          "can write to with --out")
    return folder


def check_file_target(path: str | Path) -> Path:
    """Raise OutputError if ``path`` cannot be an output file (it is a folder, or its folder is unusable)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path}: is a folder, but a file is needed here; give a file name such as "
                          f"{path / ('results' + (path.suffix or '.csv'))}")
    ensure_folder(path.parent)
    return path


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write ``path`` to; rename it to ``path`` when the block succeeds.

    On any exception (including KeyboardInterrupt) the temporary file is removed and the
    target is left as it was. OSErrors are re-raised as OutputError naming ``path``.
    """
    path = check_file_target(path)
    tmp = temp_name(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise output_error(exc, path) from None
    except BaseException:
        _remove(tmp)
        raise
    return


def _remove(p: Path) -> None:
    try:
        if p.is_dir():
            return
        p.unlink(missing_ok=True)
    except OSError:
        pass


def write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see the module docstring)."""
    return write_bytes(path, text.encode(encoding))


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically, flushed to disk before the rename."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return path
