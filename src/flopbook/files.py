"""Writing output files safely: check the target first, write beside it, rename into place.

Every writer uses this: reports, charts, the audit's recomputed workbook.

A report is written to a temporary file in the target's own folder and renamed over the
target only when complete (``os.replace`` is atomic within a folder), so a failure never
leaves half a file, and an existing file is replaced only with ``force``.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from flopbook.errors import InputError

# The endings of the files other than reports (a report file's are in its row of
# flopbook.render.report_files, which passes them): the audit's corrected workbook, and a
# sweep's or an inventory's table.
SUFFIXES = {"xlsx": (".xlsx",), "out": (".parquet", ".csv")}


def check_target(
    path: str | Path,
    kind: str,
    *,
    force: bool = False,
    protect: tuple[str | Path, ...] = (),
    suffixes: tuple[str, ...] | None = None,
) -> Path:
    """The target as a Path, or an InputError saying why it cannot be written; ``kind``
    names the option (``--html``), and the name must end in ``suffixes`` (default: the
    kind's in :data:`SUFFIXES`)."""
    p = Path(path).expanduser()
    where = str(path)
    option = f"--{kind}"
    endings = suffixes or SUFFIXES[kind]
    if p.suffix.lower() not in endings:
        raise InputError(
            f"{option} needs a file name ending in {' or '.join(endings)}",
            file=where,
            hint=f"e.g. {option} report{endings[0]}",
        )
    folder = p.absolute().parent
    if not folder.exists():
        raise InputError(
            f"the folder {str(folder)!r} does not exist",
            file=where,
            hint="create it first, or write somewhere else",
        )
    if not folder.is_dir():
        raise InputError(
            f"{str(folder)!r} is not a folder", file=where, hint="give a path inside a folder"
        )
    for other in protect:
        if Path(other).exists() and p.exists() and p.resolve() == Path(other).resolve():
            raise InputError(
                "is the scenario being read; flopbook never overwrites its input",
                file=where,
                hint="give another output path",
            )
    if p.is_dir():
        raise InputError("is a folder", file=where, hint="give a file name inside it")
    if p.exists() and not force:
        raise InputError(
            "already exists", file=where, hint="add --force to replace it, or give another path"
        )
    try:  # the one honest test of "may I write here" (permissions, read-only mounts)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".flopbook-probe-"):
            pass
    except OSError as exc:
        reason = (
            "read-only or no permission"
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT)
            else exc.strerror or str(exc)
        )
        raise InputError(
            f"cannot write in {str(folder)!r} ({reason})",
            file=where,
            hint="write somewhere you have permission to",
        ) from None
    return p


def check_folder(
    path: str | Path, option: str, *, names: tuple[str, ...] = (), force: bool = False
) -> Path:
    """A folder to write charts into, or an InputError saying why it cannot be used. Nothing
    is created here: the folder is made when the files are written, once the input is known
    to be good. ``names`` are the files to be written in it; one that exists already is
    refused unless ``force``."""
    p = Path(path).expanduser()
    where = str(path)
    if p.exists() and not p.is_dir():
        raise InputError(
            f"{option} needs a folder, and this is a file",
            file=where,
            hint=f"e.g. {option} charts/",
        )
    parent = p.absolute().parent
    if not p.exists() and not parent.is_dir():
        raise InputError(
            f"the folder {str(parent)!r} does not exist",
            file=where,
            hint="create it first, or write somewhere else",
        )
    probe_in = p if p.exists() else parent
    try:
        with tempfile.NamedTemporaryFile(dir=probe_in, prefix=".flopbook-probe-"):
            pass
    except OSError as exc:
        raise InputError(
            f"cannot write in {str(probe_in)!r} ({exc.strerror or exc})",
            file=where,
            hint="write somewhere you have permission to",
        ) from None
    existing = [n for n in names if (p / n).exists()]
    if existing and not force:
        more = f" and {len(existing) - 1} more" if len(existing) > 1 else ""
        raise InputError(
            f"already has {existing[0]}{more}",
            file=where,
            field=option,
            hint="add --force to replace them, or give another folder",
        )
    return p


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """Call ``write(temporary_path)``, then move the finished file onto ``path``."""
    with Outputs() as out:
        out.stage(path, write)


class Outputs:
    """The files one command writes, as one transaction: each is written to a temporary file
    beside its target, and only when every one is complete are they all renamed into place.
    A failure (a full disk, an error in a renderer) leaves none of them, and no temporary
    file either.

        with Outputs() as out:
            out.stage(Path("a.xlsx"), write_workbook)
            out.stage(Path("b.html"), write_html)
        # both written, or neither
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []

    def __enter__(self) -> Outputs:
        return self

    def stage(self, path: Path, write: Callable[[str], object]) -> None:
        """Write ``path``'s content through ``write(temporary_path)``; renamed at the end."""
        folder = path.absolute().parent
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
            os.close(fd)
        except OSError as exc:
            raise _write_error(path, exc) from None
        self._staged.append((tmp, path))
        failure: tuple[int | None, str] | None = None
        hook = sys.unraisablehook
        # a library that fails half-way (XlsxWriter on a full disk) leaves an open zip file
        # whose clean-up fails again later, as Python's "Exception ignored" noise: the error
        # is reported once, here
        sys.unraisablehook = _ignore_unraisable
        try:
            try:
                write(tmp)
                os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
            except BaseException as exc:
                error = _os_error(exc)
                if error is None:
                    raise
                # the numbers only: the error's traceback holds the half-written zip file
                failure = (error.errno, error.strerror or str(error))
                del error
            gc.collect()
        finally:
            sys.unraisablehook = hook
        if failure is not None:
            raise _write_error(path, OSError(*failure))

    def __exit__(self, kind: object, value: object, tb: object) -> None:
        if kind is None:
            try:
                for tmp, path in self._staged:
                    os.replace(tmp, path)
            except OSError as exc:
                self._discard()
                raise _write_error(path, exc) from None
            self._staged.clear()
        else:
            self._discard()

    def _discard(self) -> None:
        for tmp, _ in self._staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
        self._staged.clear()


def _ignore_unraisable(unraisable: object) -> None:
    return None


def _os_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc``: itself, or the one XlsxWriter wraps in FileCreateError."""
    if isinstance(exc, OSError):
        return exc
    if type(exc).__name__ == "FileCreateError" and exc.args and isinstance(exc.args[0], OSError):
        return exc.args[0]
    return None


def _write_error(path: Path, exc: OSError) -> InputError:
    if exc.errno == errno.ENOSPC:
        return InputError(
            "cannot write: the disk is full; nothing was written",
            file=str(path),
            hint="free some space or write somewhere else",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return InputError(
            "cannot write: read-only or no permission; nothing was written",
            file=str(path),
            hint="write somewhere you have permission to",
        )
    return InputError(f"cannot write: {exc.strerror or exc}; nothing was written", file=str(path))
