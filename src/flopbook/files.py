"""Writing output files safely: check the target first, write beside it, rename into place.

Every writer uses this: reports, charts, the audit's recomputed workbook.

A report is written to a temporary file in the target's own folder and renamed over the
target only when complete (``os.replace`` is atomic within a folder), so a failure never
leaves half a file, and an existing file is replaced only with ``force``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from flopbook.errors import InputError

SUFFIXES = {"xlsx": (".xlsx",), "html": (".html", ".htm")}


def check_target(path: str | Path, kind: str, *, force: bool = False,
                 protect: tuple[str | Path, ...] = ()) -> Path:
    """The target as a Path, or an InputError saying why it cannot be written."""
    p = Path(path).expanduser()
    where = str(path)
    option = f"--{kind}"
    if p.suffix.lower() not in SUFFIXES[kind]:
        raise InputError(f"{option} needs a file name ending in {' or '.join(SUFFIXES[kind])}",
                         file=where, hint=f"e.g. {option} report{SUFFIXES[kind][0]}")
    folder = p.absolute().parent
    if not folder.exists():
        raise InputError(f"the folder {str(folder)!r} does not exist", file=where,
                         hint="create it first, or write somewhere else")
    if not folder.is_dir():
        raise InputError(f"{str(folder)!r} is not a folder", file=where,
                         hint="give a path inside a folder")
    for other in protect:
        if Path(other).exists() and p.exists() and p.resolve() == Path(other).resolve():
            raise InputError("is the scenario being read; flopbook never overwrites its input",
                             file=where, hint="give another output path")
    if p.is_dir():
        raise InputError("is a folder", file=where, hint="give a file name inside it")
    if p.exists() and not force:
        raise InputError("already exists", file=where,
                         hint="add --force to replace it, or give another path")
    try:  # the one honest test of "may I write here" (permissions, read-only mounts)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".flopbook-probe-"):
            pass
    except OSError as exc:
        reason = ("read-only or no permission"
                  if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT)
                  else exc.strerror or str(exc))
        raise InputError(f"cannot write in {str(folder)!r} ({reason})", file=where,
                         hint="write somewhere you have permission to") from None
    return p


def check_folder(path: str | Path, option: str) -> Path:
    """A folder to write charts into (made if missing, inside an existing folder), or an
    InputError saying why it cannot be used."""
    p = Path(path).expanduser()
    where = str(path)
    if p.exists() and not p.is_dir():
        raise InputError(f"{option} needs a folder, and this is a file", file=where,
                         hint=f"e.g. {option} charts/")
    parent = p.absolute().parent
    if not p.exists() and not parent.is_dir():
        raise InputError(f"the folder {str(parent)!r} does not exist", file=where,
                         hint="create it first, or write somewhere else")
    try:
        p.mkdir(exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=p, prefix=".flopbook-probe-"):
            pass
    except OSError as exc:
        raise InputError(f"cannot write in {where!r} ({exc.strerror or exc})", file=where,
                         hint="write somewhere you have permission to") from None
    return p


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """Call ``write(temporary_path)``, then move the finished file onto ``path``."""
    folder = path.absolute().parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        raise InputError(f"cannot write: {exc.strerror or exc}", file=str(path)) from None
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
