"""Rucio data lake: fetch inputs by DID, register the shipped inputs, publish results.

The Rucio server, account and credentials come from the standard client configuration
(``RUCIO_CONFIG`` or ``rucio.cfg``), never from the workflow config. Every fetch checks three ways:
Rucio's own record of the DID (size, adler32, md5) against the inputs catalogue, and the
downloaded bytes against both; the file is moved into place only once it has passed.

Failures name the DID and the server, never the credentials. Transient failures (server down, a
dropped connection) are retried a bounded number of times, then reported.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from dmcombine.catalogue import Catalogue, CatalogueEntry, Checksums, verify
from dmcombine.errors import DmcombineError, InputIntegrityError
from dmcombine.fileio import atomic_write_bytes
from dmcombine.planning.paths import display_path

log = logging.getLogger("dmcombine")
# Rucio's own messages go to our log (file or stderr) instead of its coloured console handler.
rucio_log = logging.getLogger("dmcombine.rucio")
rucio_log.setLevel(logging.WARNING)
T = TypeVar("T")
REQUEST_TIMEOUT_S = 30  # a server that stops answering mid-request fails instead of hanging


class DataLakeError(DmcombineError):
    """The Rucio server could not be reached, refused us, or lacks what was asked for."""


def _client() -> Any:
    """A Rucio client from the standard configuration (RUCIO_CONFIG / rucio.cfg)."""
    try:
        from rucio.client import Client
    except ImportError:  # pragma: no cover - the main lock installs rucio-clients
        raise DataLakeError("Rucio mode needs the rucio-clients package (scripts/setup.sh installs it)") from None
    return Client(timeout=REQUEST_TIMEOUT_S, logger=rucio_log)


def _host() -> str:
    try:
        from rucio.common.config import config_get

        return str(config_get("client", "rucio_host"))
    except Exception:
        return "the configured Rucio server"


def _describe(exc: BaseException) -> str:
    """One line naming the Rucio exception; Rucio's messages carry no credentials."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _transient(exc: BaseException) -> bool:
    """Worth another try: the server is down or the connection dropped."""
    import requests
    from rucio.common import exception as rx

    transient = (requests.ConnectionError, requests.Timeout, ConnectionError, rx.ServiceUnavailable,
                 rx.ServerConnectionException)
    if isinstance(exc, transient):
        return True
    text = str(exc).lower()
    return isinstance(exc, rx.RucioException) and any(
        hint in text for hint in ("connection refused", "max retries exceeded", "failed to establish", "timed out")
    )


def with_retries(action: Callable[[], T], what: str, attempts: int, wait_s: float) -> T:
    """Run ``action``; retry transient failures ``attempts`` times in all, waiting ``wait_s`` × 2^k."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except DmcombineError:
            raise
        except Exception as exc:
            if not _transient(exc):
                raise DataLakeError(f"{what} failed on {_host()}: {_describe(exc)}") from None
            if attempt == attempts:
                raise DataLakeError(
                    f"{what} failed: the Rucio server {_host()} did not answer after {attempts} attempts "
                    f"({_describe(exc)}). Is it running, and is RUCIO_CONFIG pointing at it?"
                ) from None
            delay = wait_s * 2 ** (attempt - 1)
            log.warning("%s: server unreachable (attempt %d of %d), retrying in %.1f s", what, attempt, attempts, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _recorded_checksums(client: Any, entry: CatalogueEntry) -> Checksums:
    from rucio.common.exception import DataIdentifierNotFound

    try:
        return _checksums_of(client.get_metadata(entry.scope, entry.name))
    except DataIdentifierNotFound:
        raise DataLakeError(
            f"DID {entry.did} does not exist on {_host()}; register the inputs with "
            "`dmcombine rucio register` or point RUCIO_CONFIG at a data lake that holds them"
        ) from None


def _checksums_of(meta: dict[str, Any]) -> Checksums:
    """Size and checksums of a DID as Rucio records them."""
    return Checksums(int(meta.get("bytes") or -1), str(meta.get("adler32")), str(meta.get("md5")))


def fetch(entries: list[CatalogueEntry], outputs: list[str], attempts: int = 3, wait_s: float = 1.0) -> None:
    """Download the DIDs of ``entries`` from Rucio (one download for all) to ``outputs`` and check
    each against the catalogue. Nothing is written at an output unless every file passed.
    """
    if not entries:
        return
    paths = [Path(o) for o in outputs]
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
    what = f"fetching {entries[0].did}" + (f" and {len(entries) - 1} other input(s)" if len(entries) > 1 else "")

    def attempt() -> list[bytes]:
        from rucio.client.downloadclient import DownloadClient

        client = _client()
        for entry in entries:
            recorded = _recorded_checksums(client, entry)
            if recorded != entry.checksums:
                raise InputIntegrityError(
                    f"input {entry.did}: the data lake {_host()} records {recorded.bytes} bytes, adler32 "
                    f"{recorded.adler32}, md5 {recorded.md5}; the inputs catalogue expects {entry.checksums.bytes} "
                    f"bytes, adler32 {entry.checksums.adler32}, md5 {entry.checksums.md5}. It holds another file "
                    "under this DID."
                )
        with tempfile.TemporaryDirectory(prefix=".fetch-", dir=paths[0].parent) as tmp:
            # Rucio's own checksum test is skipped so that a corrupted replica reaches ours, which
            # names both checksums; nothing leaves this directory unless it passes.
            items = [{"did": e.did, "base_dir": tmp, "no_subdir": True, "ignore_checksum": True} for e in entries]
            results = DownloadClient(client=client, logger=rucio_log).download_dids(items)
            states = {f"{r.get('scope')}:{r.get('name')}": r.get("clientState") for r in results}
            data = []
            for entry in entries:
                path = Path(tmp) / entry.name
                if states.get(entry.did) not in ("DONE", "ALREADY_DONE") or not path.exists():
                    raise DataLakeError(f"input {entry.did}: download from {_host()} ended in state {states.get(entry.did)}")
                data.append(path.read_bytes())
            return data

    contents = with_retries(attempt, what, attempts, wait_s)
    for entry, data in zip(entries, contents, strict=True):
        verify(entry, data, f"replica downloaded from {_host()}")
    for path, data in zip(paths, contents, strict=True):
        atomic_write_bytes(path, data)


@dataclass
class RegisterReport:
    """What ``register`` did."""

    uploaded: list[str]
    present: list[str]
    attached: list[str]

    def summary(self, rse: str, dataset: str) -> str:
        if not self.uploaded and not self.attached:
            return (
                f"nothing changed: all {len(self.present)} inputs are already registered with matching "
                f"checksums and attached to {dataset}"
            )
        return (
            f"uploaded {len(self.uploaded)} input(s) to {rse}, {len(self.present)} already registered; "
            f"attached {len(self.attached)} file(s) to {dataset}"
        )


def _ensure_scope(client: Any, scope: str) -> None:
    from rucio.common.exception import Duplicate

    if scope not in client.list_scopes():
        try:
            client.add_scope(client.account, scope)
            log.info("created scope %s", scope)
        except Duplicate:  # pragma: no cover - a concurrent creation
            pass


def _ensure_dataset(client: Any, dataset: str) -> set[str]:
    """Create ``dataset`` if missing; return the DIDs it already holds."""
    from rucio.common.exception import DataIdentifierNotFound

    scope, name = dataset.split(":", 1)
    _ensure_scope(client, scope)
    try:
        client.get_did(scope, name)
    except DataIdentifierNotFound:
        client.add_dataset(scope, name)
        log.info("created dataset %s", dataset)
    return {f"{c['scope']}:{c['name']}" for c in client.list_content(scope, name)}


def _upload(client: Any, path: Path, did: str, rse: str) -> None:
    from rucio.client.uploadclient import UploadClient

    scope, name = did.split(":", 1)
    UploadClient(client, logger=rucio_log).upload(
        [{"path": str(path), "rse": rse, "did_scope": scope, "did_name": name, "register_after_upload": True}]
    )


def _registered(client: Any, did: str, local: Checksums) -> bool:
    """True if ``did`` exists with these checksums; an error if it exists with others."""
    from rucio.common.exception import DataIdentifierNotFound

    scope, name = did.split(":", 1)
    try:
        recorded = _checksums_of(client.get_metadata(scope, name))
    except DataIdentifierNotFound:
        return False
    if recorded != local:
        raise DataLakeError(
            f"DID {did} already exists on {_host()} with adler32 {recorded.adler32}, md5 {recorded.md5}; "
            f"the local file has adler32 {local.adler32}, md5 {local.md5}. Rucio DIDs are immutable: "
            "use another name or scope"
        )
    return True


def _attach(client: Any, dataset: str, dids: Iterable[str]) -> None:
    scope, name = dataset.split(":", 1)
    wanted = [{"scope": d.split(":", 1)[0], "name": d.split(":", 1)[1]} for d in dids]
    if wanted:
        client.attach_dids(scope, name, wanted)


def register(catalogue: Catalogue, rse: str, dataset: str, root: str | Path = ".") -> RegisterReport:
    """Upload every shipped input to ``rse`` under its catalogue DID and attach it to ``dataset``.

    Idempotent: a DID already registered with the catalogued checksums is left alone.
    """

    def run() -> RegisterReport:
        client = _client()
        report = RegisterReport([], [], [])
        content = _ensure_dataset(client, dataset)
        for entry in catalogue:
            path = Path(root) / entry.path
            verify(entry, path.read_bytes(), str(path))
            _ensure_scope(client, entry.scope)
            if _registered(client, entry.did, entry.checksums):
                report.present.append(entry.did)
            else:
                _upload(client, path, entry.did, rse)
                report.uploaded.append(entry.did)
                log.info("uploaded %s (%s) to %s", entry.did, entry.path, rse)
        missing = [e.did for e in catalogue if e.did not in content]
        _attach(client, dataset, missing)
        report.attached = missing
        return report

    return with_retries(run, f"registering the inputs on {rse}", 3, 1.0)


def result_did(scope: str, path: str | Path, checksums: Checksums) -> str:
    """Content-addressed DID of a result file: its path with '.' for '/', and its adler32.

    >>> result_did("user.me", "results/darkside50/published/limit.json", Checksums(1, "0a0b0c0d", "0" * 32))
    'user.me:darkside50.published.limit.0a0b0c0d.json'
    """
    parts = Path(path).parts
    parts = parts[1:] if parts and parts[0] == "results" else parts
    stem, dot, suffix = ".".join(parts).rpartition(".")
    return f"{scope}:{stem}.{checksums.adler32}{dot}{suffix}" if dot else f"{scope}:{suffix}.{checksums.adler32}"


def publish(files: list[str], rse: str, dataset: str) -> list[dict[str, Any]]:
    """Upload result files to ``rse``, attach them to ``dataset``; return one record per file."""
    scope = dataset.split(":", 1)[0]

    def run() -> list[dict[str, Any]]:
        client = _client()
        content = _ensure_dataset(client, dataset)
        records = []
        for path in files:
            local = Checksums.of_file(path)
            did = result_did(scope, display_path(path), local)
            uploaded = not _registered(client, did, local)
            if uploaded:
                _upload(client, Path(path), did, rse)
                if not _registered(client, did, local):  # pragma: no cover - defensive
                    raise DataLakeError(f"{path}: uploaded as {did} but Rucio records other checksums")
            records.append(
                {"file": display_path(str(path)), "did": did, "bytes": local.bytes, "adler32": local.adler32, "md5": local.md5,
                 "new": uploaded}
            )
        _attach(client, dataset, [r["did"] for r in records if r["did"] not in content])
        return records

    return with_retries(run, f"publishing results to {rse}", 3, 1.0)
