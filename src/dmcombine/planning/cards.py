"""Job cards: each job's resolved configuration, as a small YAML file named on its command line.

A card holds exactly what the job's computation reads: its configuration (``config``), its inputs
(each with DID, path, size and checksums) and the limit files it reads (``files``). The planning
layer writes it (only when its content changes, so that Snakemake reruns exactly the jobs whose
card changed); the command validates it against the packaged schema before computing, so that a
hand-written or hand-edited card fails with one line naming the field and what was expected.

Schemas: the envelope and the shared jobs' configs are in ``schemas/cards.yaml``; an experiment's
card config is the ``card`` part of its ``schema.yaml``.
"""

from __future__ import annotations

import os
from typing import Any, Dict

from dmcombine.errors import ConfigError, DmcombineError
from dmcombine.fileio import atomic_write_text
from dmcombine.planning import schema as schemas
from dmcombine.planning.strict import MIB, dumps_yaml, load_yaml

CARD_SCHEMA = "urn:dmcombine:schema:job-card:1"


class CardError(DmcombineError):
    """A job card is missing, malformed, or does not follow its schema."""


def _config_schema(kind: str) -> Dict[str, Any]:
    """The schema of the ``config`` of a card of ``kind`` (an experiment's name or a shared job)."""
    from dmcombine.registry import EXPERIMENTS, package

    if kind in EXPERIMENTS:
        fragment = schemas.package_yaml(package(kind), "schema.yaml")
        return schemas.with_definitions(fragment["card"], fragment.get("$defs", {}))
    shared = schemas.package_yaml("dmcombine.schemas", "cards.yaml")
    if kind not in shared["kinds"]:
        raise CardError(f"no card schema for {kind!r}")
    return schemas.with_definitions(shared["kinds"][kind], shared.get("$defs", {}))


def card_schema(kind: str) -> Dict[str, Any]:
    """The whole card schema of ``kind``: the envelope with its config schema in place."""
    shared = schemas.package_yaml("dmcombine.schemas", "cards.yaml")
    config = _config_schema(kind)
    envelope = dict(shared["envelope"])
    envelope["properties"] = {**envelope["properties"], "config": {k: v for k, v in config.items() if k != "$defs"}}
    return {**envelope, "$defs": config["$defs"]}


def build(rule: str, kind: str, config: Dict[str, Any], inputs: Dict[str, Dict[str, Any]],
          files: list) -> Dict[str, Any]:
    """The card document of one job; ``kind`` names the schema of its config (an experiment, or a
    shared job: fetch, combine, plot, provenance, hepdata)."""
    return {"schema": CARD_SCHEMA, "rule": rule, "kind": kind, "inputs": inputs, "files": files, "config": config}


def dumps(card: Dict[str, Any], title: str) -> str:
    """Deterministic YAML of a card, with a header saying what it is."""
    head = (f"# dmcombine job card: {title}\n"
            "# Written by the planning layer from the workflow configuration; change the configuration,\n"
            "# not this file (a hand-edited card is checked all the same when its command runs).\n")
    return head + dumps_yaml(card, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100)


def write_if_changed(path: str, text: str) -> bool:
    """Write ``text`` to ``path`` unless it already holds exactly that; True when written."""
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.read() == text:
                return False
    except (FileNotFoundError, UnicodeDecodeError, IsADirectoryError):
        pass
    except OSError as exc:
        raise ConfigError(f"cannot read the job card {path}: {exc.strerror or exc}") from None
    atomic_write_text(path, text)
    return True


def read(path: str | os.PathLike[str], kind: str) -> Dict[str, Any]:
    """Read and validate the card of a job of ``kind``; raise :class:`CardError` naming the field."""
    card = load_yaml(path, "job card", max_bytes=16 * MIB, error=CardError)
    if not isinstance(card, dict):
        raise CardError(f"job card {path}: expected a mapping with schema, rule, kind, inputs, files and config")
    if card.get("schema") != CARD_SCHEMA:
        raise CardError(f"job card {path}: field 'schema' is {card.get('schema')!r}; this dmcombine reads "
                        f"{CARD_SCHEMA} cards")
    if card.get("kind") != kind:
        raise CardError(f"job card {path}: field 'kind' is {card.get('kind')!r}; this command runs {kind!r} cards")
    found = schemas.problems(card, card_schema(kind))
    if found:
        more = f" (and {len(found) - 1} more problem(s))" if len(found) > 1 else ""
        raise CardError(f"job card {path}: field {found[0]}{more}")
    return card
