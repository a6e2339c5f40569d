"""What every job's command shares: the inputs its card names, read and verified, and the
provenance record of what it wrote.

A card records each input's DID, path, size and checksums (see :mod:`dmcombine.planning.cards`);
:class:`CardInputs` reads an input only through that record, so a modified, truncated or swapped
file is refused by name, and remembers what was read for the provenance block.
"""

from __future__ import annotations

from typing import Any

from dmcombine.catalogue import CatalogueEntry, Checksums, open_verified
from dmcombine.errors import ConfigError
from dmcombine.provenance import provenance_record


class CardInputs:
    """The inputs of one job, by role, as its card records them."""

    def __init__(self, card: dict[str, Any], source: str) -> None:
        self.records = card["inputs"]
        self.source = source
        self.read_records: list[dict[str, Any]] = []

    def entry(self, role: str) -> CatalogueEntry:
        if role not in self.records:
            raise ConfigError(f"job card {self.source}: inputs.{role} is missing; this job reads it")
        r = self.records[role]
        return CatalogueEntry(r["did"], r["path"], Checksums(r["bytes"], r["adler32"], r["md5"]), "", "", "")

    def read(self, role: str) -> tuple[bytes, str]:
        """(verified bytes, path) of the input with this role."""
        entry = self.entry(role)
        data = open_verified(entry, entry.path)
        self.read_records.append(entry.provenance())
        return data, entry.path

    def roles(self, prefix: str) -> list[str]:
        """The roles ``<prefix>.<name>``, sorted."""
        return sorted(r for r in self.records if r.startswith(prefix + "."))


def job_provenance(card: dict[str, Any], inputs: CardInputs | None = None) -> dict[str, Any]:
    """Provenance of a job's outputs: the inputs it read, software, digest of its card's config, rule."""
    records = {r["did"]: r for r in (inputs.read_records if inputs else [])}
    return provenance_record(list(records.values()), card["config"], card["rule"])
