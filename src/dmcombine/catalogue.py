"""The inputs catalogue: every input file by Rucio DID, with size, checksums and provenance.

The catalogue records, for each DID ``scope:name``, the shipped copy's path, its size in bytes and
the two checksums Rucio keeps for a replica (adler32 and md5), and where the file comes from
(origin, paper, licence). It is one catalogue in several files: ``config/inputs.yaml`` (what the
summaries share) and each registered experiment's ``inputs.yaml`` (:func:`workflow_catalogue`).
:func:`open_verified` refuses any copy whose size or checksums differ.

Standard library and PyYAML only: the planning layer reads the catalogue inside REANA's engine.
"""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, List, Tuple

from dmcombine.errors import ConfigError, InputIntegrityError
from dmcombine.planning.paths import DID as DID_PATTERN
from dmcombine.planning.strict import MIB, load_yaml, read_bytes

_REQUIRED = ("did", "path", "bytes", "adler32", "md5", "origin", "paper", "licence")


@dataclass(frozen=True)
class Checksums:
    """Size and the checksums Rucio records for a file replica."""

    bytes: int
    adler32: str
    md5: str

    @classmethod
    def of_bytes(cls, data: bytes) -> Checksums:
        """Checksums of an in-memory file.

        >>> Checksums.of_bytes(b"dark matter").adler32
        '19360450'
        """
        return cls(len(data), f"{zlib.adler32(data) & 0xFFFFFFFF:08x}", hashlib.md5(data).hexdigest())

    @classmethod
    def of_file(cls, path: str | Path) -> Checksums:
        """Checksums of a file on disk."""
        return cls.of_bytes(Path(path).read_bytes())


@dataclass(frozen=True)
class CatalogueEntry:
    """One input: its DID, shipped path (relative to the repository), checksums and provenance."""

    did: str
    path: str
    checksums: Checksums
    origin: str
    paper: str
    licence: str

    @property
    def scope(self) -> str:
        return self.did.split(":", 1)[0]

    @property
    def name(self) -> str:
        return self.did.split(":", 1)[1]

    def provenance(self) -> dict[str, Any]:
        """The record written into a limit file's provenance block."""
        return {
            "did": self.did,
            "bytes": self.checksums.bytes,
            "adler32": self.checksums.adler32,
            "md5": self.checksums.md5,
        }


def verify(entry: CatalogueEntry, data: bytes, where: str) -> None:
    """Raise :class:`InputIntegrityError` unless ``data`` matches the catalogued size and checksums."""
    got = Checksums.of_bytes(data)
    if got != entry.checksums:
        raise InputIntegrityError(
            f"input {entry.did} ({where}) does not match the inputs catalogue: "
            f"expected {entry.checksums.bytes} bytes, adler32 {entry.checksums.adler32}, "
            f"md5 {entry.checksums.md5}; got {got.bytes} bytes, adler32 {got.adler32}, md5 {got.md5}. "
            "The file is truncated or was modified: restore it (git checkout / re-download) "
            "rather than editing the catalogue."
        )


class Catalogue:
    """The inputs catalogue, indexed by DID."""

    def __init__(self, entries: list[CatalogueEntry], source: str) -> None:
        self.source = source
        self._by_did: dict[str, CatalogueEntry] = {}
        for entry in entries:
            if entry.did in self._by_did:
                raise ConfigError(f"inputs catalogue {source}: DID {entry.did} is listed twice")
            self._by_did[entry.did] = entry

    @classmethod
    def load(cls, path: str | Path) -> Catalogue:
        """Read and check one catalogue file (``inputs: [...]``)."""
        return cls(entries_of(load_yaml(path, "inputs catalogue", error=ConfigError), str(path)), str(path))

    def __getitem__(self, did: str) -> CatalogueEntry:
        try:
            return self._by_did[did]
        except KeyError:
            raise ConfigError(
                f"DID {did} is not in the inputs catalogue {self.source}; "
                f"known DIDs: {', '.join(sorted(self._by_did))}"
            ) from None

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self._by_did.values())

    def __contains__(self, did: object) -> bool:
        return did in self._by_did

    def __len__(self) -> int:
        return len(self._by_did)


def _inside_repository(path: str) -> bool:
    """A relative path that stays inside the directory it is relative to."""
    normal = os.path.normpath(path)
    return not os.path.isabs(path) and normal != ".." and not normal.startswith(".." + os.sep)


def entries_of(doc: Any, source: str) -> List[CatalogueEntry]:
    """The checked entries of one catalogue document read from ``source``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("inputs"), list):
        raise ConfigError(f"inputs catalogue {source}: expected a mapping with a list 'inputs'")
    entries = []
    for i, raw in enumerate(doc["inputs"]):
        where = f"inputs catalogue {source}, entry {i}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected a mapping")
        missing = [key for key in _REQUIRED if key not in raw]
        if missing:
            raise ConfigError(f"{where} ({raw.get('did', '?')}): missing field(s) {', '.join(missing)}")
        if not DID_PATTERN.match(str(raw["did"])):
            raise ConfigError(f"{where}: did {raw['did']!r} is not a Rucio DID 'scope:name' whose parts are "
                              "file names (letters, digits, '_', '.', '-', not starting with '.')")
        path = str(raw["path"])
        if re.search(r"\s", path) or not _inside_repository(path):
            raise ConfigError(f"{where} ({raw['did']}): path {path!r} must be a relative path inside the "
                              "repository without white space")
        if not isinstance(raw["bytes"], int) or isinstance(raw["bytes"], bool) or raw["bytes"] < 0:
            raise ConfigError(f"{where} ({raw['did']}): bytes must be a whole number >= 0, got {raw['bytes']!r}")
        if not re.fullmatch(r"[0-9a-f]{8}", str(raw["adler32"])) or not re.fullmatch(r"[0-9a-f]{32}", str(raw["md5"])):
            raise ConfigError(f"{where} ({raw['did']}): adler32 must be 8 and md5 32 lower-case hex digits")
        entries.append(CatalogueEntry(
            did=str(raw["did"]), path=path, checksums=Checksums(raw["bytes"], str(raw["adler32"]), str(raw["md5"])),
            origin=str(raw["origin"]), paper=str(raw["paper"]), licence=str(raw["licence"]),
        ))
    return entries


def fragments(shared: str | Path) -> List[Tuple[str, Any]]:
    """(source, document) of every part of the workflow's catalogue: ``shared`` and the
    ``inputs.yaml`` of each registered experiment."""
    from dmcombine.planning.schema import package_yaml
    from dmcombine.registry import EXPERIMENTS, package

    parts = [(str(shared), load_yaml(shared, "inputs catalogue", error=ConfigError))]
    for name in EXPERIMENTS:
        parts.append((f"src/dmcombine/experiments/{name}/inputs.yaml", package_yaml(package(name), "inputs.yaml")))
    return parts


def workflow_catalogue(shared: str | Path = "config/inputs.yaml") -> Catalogue:
    """The one inputs catalogue of the workflow (a DID listed in two parts is refused, naming both)."""
    entries: List[CatalogueEntry] = []
    where = {}
    for source, doc in fragments(shared):
        for entry in entries_of(doc, source):
            if entry.did in where:
                places = f"twice in {source}" if where[entry.did] == source else f"in {where[entry.did]} and in {source}"
                raise ConfigError(f"inputs catalogue: DID {entry.did} is listed {places}")
            where[entry.did] = source
            entries.append(entry)
    return Catalogue(entries, f"{shared} and the experiments' inputs.yaml")


def open_verified(entry: CatalogueEntry, path: str | Path) -> bytes:
    """Read a materialised input and check it again, so that a consumer never trusts a stale copy."""
    data = read_bytes(path, f"input {entry.did}:", 2 * entry.checksums.bytes + MIB, InputIntegrityError)
    verify(entry, data, str(path))
    return data
