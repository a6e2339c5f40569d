"""``dmcombine model translate``: the translations of every enabled model (one job)."""

from __future__ import annotations

import logging

import click

from dmcombine.cli.options import card_option, card_reads, output_option, parse_outputs

log = logging.getLogger("dmcombine")


@click.group("model")
def model_group() -> None:
    """Translate results between planes through the registered models (src/dmcombine/models/)."""


@model_group.command("translate")
@card_option
@output_option
def translate(card_path: str, outputs: tuple[str, ...]) -> None:
    """Write every translation of a model_translate card (ROLE=PATH each). All are computed before
    any is written; nothing is published unless every one succeeds."""
    from dmcombine import limitfile, registry
    from dmcombine.fileio import atomic_write_text, publish
    from dmcombine.planning import cards
    from dmcombine.planning import schema as schemas
    from dmcombine.planning.paths import display_path
    from dmcombine.provenance import provenance_record

    card = cards.read(card_path, "model")
    entries = card["config"]["translations"]
    paths = parse_outputs(outputs, list(entries), card_reads(card))
    sources = {display_path(f): f for f in card["files"]}
    written: dict[str, str] = {}  # reference curves (relic lines)
    prepared: dict[str, limitfile.Prepared] = {}  # translations, each validated before any is written
    read: dict[str, dict] = {}
    for role, entry in entries.items():
        package = registry.model_package(entry["model"])
        fragment = schemas.package_yaml(package, "schema.yaml")
        schemas.validate(entry, schemas.with_definitions(fragment["card"], fragment.get("$defs", {})),
                         f"job card {card_path}", prefix=f"config.translations.{role}", error=cards.CardError)
        compute = getattr(registry.model_module(entry["model"], "command"), entry["what"])
        if entry["what"] == "relic_line":  # a reference curve, not a limit file
            import json

            written[paths[role]] = json.dumps(limitfile.to_builtin(compute(entry)), indent=1, sort_keys=True) + "\n"
            continue
        if "source" in entry:
            if entry["source"] not in sources:
                raise cards.CardError(f"job card {card_path}: config.translations.{role}.source {entry['source']} is not "
                                      "among the card's files")
            path = sources[entry["source"]]
            if path not in read:  # a source several translations share is read once
                read[path] = limitfile.read(path)
            doc = read[path]
            out = compute(entry, path, doc, provenance_record(doc["provenance"]["inputs"], entry, card["rule"]))
        else:
            out = compute(entry, provenance_record([], entry, card["rule"]))
        prepared[paths[role]] = limitfile.prepare(out, f"{display_path(paths[role])} (translation {role})")
    for path, text in written.items():
        atomic_write_text(path, text)
    for path, ready in prepared.items():
        limitfile.write_prepared(path, ready)
    for public in publish([*written, *prepared]):
        log.info("published %s", public)
    log.info("wrote %d translations", len(written) + len(prepared))


COMMANDS = (model_group,)
