"""The inputs catalogue: every input file by Rucio DID, with size, checksums and provenance.

The catalogue (``config/inputs.yaml``) records, for each DID ``scope:name``, the shipped copy's
path, its size in bytes and the two checksums Rucio keeps for a replica (adler32 and md5), and
where the file comes from (origin, paper, licence). :func:`fetch` materialises an input for the
workflow and refuses any copy whose size or checksums differ.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dmcombine.errors import ConfigError, InputIntegrityError
from dmcombine.fileio import atomic_write_bytes

DID_PATTERN = re.compile(r"^[A-Za-z0-9_.\-]{1,25}:[A-Za-z0-9_.\-]{1,250}$")
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
        """Read and check ``config/inputs.yaml``."""
        path = Path(path)
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"inputs catalogue {path} does not exist") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"inputs catalogue {path} is not valid YAML: {exc}") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("inputs"), list):
            raise ConfigError(f"inputs catalogue {path}: expected a mapping with a list 'inputs'")
        entries = []
        for i, raw in enumerate(doc["inputs"]):
            where = f"inputs catalogue {path}, entry {i}"
            if not isinstance(raw, dict):
                raise ConfigError(f"{where}: expected a mapping")
            missing = [key for key in _REQUIRED if key not in raw]
            if missing:
                raise ConfigError(f"{where} ({raw.get('did', '?')}): missing field(s) {', '.join(missing)}")
            if re.search(r"\s", str(raw["path"])):
                raise ConfigError(f"{where} ({raw['did']}): path {raw['path']!r} must not contain white space")
            if not DID_PATTERN.match(str(raw["did"])):
                raise ConfigError(f"{where}: did {raw['did']!r} is not a Rucio DID 'scope:name'")
            if not re.fullmatch(r"[0-9a-f]{8}", str(raw["adler32"])) or not re.fullmatch(
                r"[0-9a-f]{32}", str(raw["md5"])
            ):
                raise ConfigError(f"{where} ({raw['did']}): adler32 must be 8 and md5 32 lower-case hex digits")
            entries.append(
                CatalogueEntry(
                    did=str(raw["did"]),
                    path=str(raw["path"]),
                    checksums=Checksums(int(raw["bytes"]), str(raw["adler32"]), str(raw["md5"])),
                    origin=str(raw["origin"]),
                    paper=str(raw["paper"]),
                    licence=str(raw["licence"]),
                )
            )
        return cls(entries, str(path))

    def __getitem__(self, did: str) -> CatalogueEntry:
        try:
            return self._by_did[did]
        except KeyError:
            raise ConfigError(
                f"DID {did} is not in the inputs catalogue {self.source}; "
                f"known DIDs: {', '.join(sorted(self._by_did))}"
            ) from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_did.values())

    def __len__(self) -> int:
        return len(self._by_did)


def fetch_embedded(entry: CatalogueEntry, shipped: str | Path, output: str | Path) -> None:
    """Copy the shipped copy of ``entry`` (at ``shipped``) to ``output`` after checking its size
    and checksums. Nothing is written when the check fails.
    """
    source = Path(shipped)
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        raise InputIntegrityError(
            f"input {entry.did}: the shipped copy {source} is missing (expected by the inputs catalogue)"
        ) from None
    verify(entry, data, str(source))
    atomic_write_bytes(output, data)


def open_verified(entry: CatalogueEntry, path: str | Path) -> bytes:
    """Read a materialised input and check it again, so that a consumer never trusts a stale copy."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputIntegrityError(f"input {entry.did}: {path} does not exist") from None
    verify(entry, data, str(path))
    return data
