"""Atomic file writing: a reader never sees a half-written output.

Outputs are written to a temporary file in the destination's directory and renamed into place
only once complete, so a job killed mid-write or a full disk leaves the previous file (or none),
never a truncated one. :func:`publish` makes a job's staged outputs public the same way.

Standard library only (the planning layer writes job cards with it).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove_stale_parts(target: Path) -> None:
    """Remove the temporary files (``.<name>.<random>.part``) a killed earlier write of
    ``target`` left. One pass of ``os.scandir`` over the names: a job writing hundreds of files
    into one folder (the catalogue) lists it once per file, and glob's per-entry work made that
    quadratic cost a second."""
    prefix = f".{target.name}."
    with os.scandir(target.parent) as entries:
        stale = [entry.path for entry in entries if entry.name.startswith(prefix) and entry.name.endswith(".part")]
    for name in stale:
        Path(name).unlink(missing_ok=True)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` atomically (temporary file + fsync + rename).

    A write error (a full disk, a quota) leaves ``path`` as it was and raises
    :class:`dmcombine.errors.OutputError` naming it. Temporary files that a killed earlier write
    left beside ``path`` are removed first. ``durable=False`` skips the fsync: for a cache whose
    entries carry their own checksum, where a power cut may lose an entry but never passes one off.
    """
    from dmcombine.errors import OutputError

    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_parts(target)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp_name, target)
    except OSError as exc:
        Path(tmp_name).unlink(missing_ok=True)
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}; the previous file, if any, is unchanged") from None
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def publish(paths: list[str]) -> list[str]:
    """Make the staged outputs ``paths`` visible at their public paths (see
    :mod:`dmcombine.planning.paths`): each by a hard link (a copy across file systems) under a
    temporary name, then an atomic rename over the previous file. Called by a command only after
    every output was written, so a failed or killed job publishes nothing and the previous public
    files stay as they were. Paths outside the stage are left alone. Returns the public paths."""
    from dmcombine.errors import OutputError
    from dmcombine.planning.paths import public_path

    published = []
    for path in paths:
        public = public_path(str(path))
        if public is None:
            continue
        target = Path(public)
        tmp = target.parent / f".{target.name}.{os.getpid()}.publish"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.unlink(missing_ok=True)
            try:
                os.link(path, tmp)
            except OSError:
                import shutil

                shutil.copy2(path, tmp)
            os.replace(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot publish {path} to {target}: {exc.strerror or exc}; the previous "
                              f"{target}, if any, is unchanged") from None
        published.append(public)
    return published
