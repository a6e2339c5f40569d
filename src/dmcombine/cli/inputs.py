"""Inputs: fetching one DID from Rucio (``fetch``), checking the catalogue (``catalogue``), and
seeding or publishing to a Rucio data lake (``rucio``)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import click

from dmcombine.cli.options import card_option, output_option, parse_outputs
from dmcombine.errors import ConfigError

log = logging.getLogger("dmcombine")
CATALOGUE_HELP = "The shared part of the inputs catalogue (the experiments' parts are added)."


@click.command()
@card_option
@output_option
def fetch(card_path: str, outputs: tuple[str, ...]) -> None:
    """Fetch the DID of a fetch card from the Rucio server of the standard client configuration
    (RUCIO_CONFIG / rucio.cfg), verify its size, adler32 and md5, and write it to the input role.

    A copy already verified at its public place (resources/inputs/<scope>/<name>) is used without
    downloading it again, as `rucio download` does; a failed fetch leaves that copy as it was.
    """
    from dmcombine import datalake
    from dmcombine.catalogue import CatalogueEntry, Checksums, verify
    from dmcombine.errors import InputIntegrityError
    from dmcombine.fileio import atomic_write_bytes, publish
    from dmcombine.planning import cards
    from dmcombine.planning.paths import public_path

    card = cards.read(card_path, "fetch")
    cfg = card["config"]
    path = parse_outputs(outputs, ["input"], [])["input"]
    entry = CatalogueEntry(cfg["did"], path, Checksums(cfg["bytes"], cfg["adler32"], cfg["md5"]), "", "", "")
    cached = public_path(path)
    if cached and os.path.isfile(cached):
        try:
            data = Path(cached).read_bytes()
            verify(entry, data, cached)
        except (OSError, InputIntegrityError) as exc:
            log.warning("the copy at %s is not the catalogued file (%s); fetching it again", cached, exc)
        else:
            atomic_write_bytes(path, data)
            log.info("%s: the verified copy at %s is used (not downloaded again)", entry.did, cached)
            return
    datalake.fetch([entry], [path], attempts=cfg["attempts"])
    publish([path])
    log.info("fetched %s from Rucio (%s bytes, adler32 %s, md5 %s) -> %s", entry.did, cfg["bytes"], cfg["adler32"],
             cfg["md5"], cached or path)


@click.group("catalogue")
def catalogue_group() -> None:
    """Inspect and check the inputs catalogue."""


@catalogue_group.command("verify")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False),
              help=CATALOGUE_HELP)
def catalogue_verify(catalogue: str) -> None:
    """Check every shipped input against its catalogued size and checksums."""
    from dmcombine.catalogue import open_verified, workflow_catalogue

    cat = workflow_catalogue(catalogue)
    for entry in cat:
        open_verified(entry, entry.path)
    click.echo(f"{len(cat)} inputs match {cat.source}")


@catalogue_group.command("entry")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--did", required=True, help="scope:name under which the file is registered")
def catalogue_entry(path: str, did: str) -> None:
    """Print a catalogue entry (size and checksums) for a new input file, to paste and complete."""
    from dmcombine.catalogue import DID_PATTERN, Checksums

    if not DID_PATTERN.match(did):
        raise ConfigError(f"--did {did!r} is not a Rucio DID 'scope:name' whose parts are file names")
    c = Checksums.of_file(path)
    click.echo(
        f"  - did: {did}\n    path: {path}\n    bytes: {c.bytes}\n    adler32: \"{c.adler32}\"\n"
        f"    md5: \"{c.md5}\"\n    description: \"\"\n    origin: \"\"\n    paper: \"\"\n    licence: \"\""
    )


@click.group("rucio")
def rucio_group() -> None:
    """Seed a Rucio data lake with the inputs, and publish results to it.

    The server and credentials come from the standard Rucio client configuration
    (RUCIO_CONFIG or rucio.cfg).
    """


@rucio_group.command("register")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False),
              help=CATALOGUE_HELP)
@click.option("--rse", required=True, help="The RSE to upload to.")
@click.option("--dataset", default="dmcombine:dmcombine.inputs", show_default=True, help="scope:name to attach the inputs to.")
def rucio_register(catalogue: str, rse: str, dataset: str) -> None:
    """Upload every shipped input under its catalogue DID (idempotent)."""
    from dmcombine import datalake
    from dmcombine.catalogue import DID_PATTERN, workflow_catalogue

    if not DID_PATTERN.match(dataset):
        raise ConfigError(f"--dataset {dataset!r} is not a Rucio DID 'scope:name'")
    report = datalake.register(workflow_catalogue(catalogue), rse, dataset)
    click.echo(report.summary(rse, dataset))


@rucio_group.command("publish")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--rse", required=True, help="The RSE to upload to.")
@click.option("--dataset", required=True, help="scope:name of the dataset that collects the results.")
@click.option("--receipt", required=True, type=click.Path(dir_okay=False), help="JSON record of what was published.")
def rucio_publish(files: tuple[str, ...], rse: str, dataset: str, receipt: str) -> None:
    """Upload result FILES (limit files, plots) with their checksums; write a receipt."""
    from dmcombine import datalake
    from dmcombine.catalogue import DID_PATTERN
    from dmcombine.fileio import atomic_write_text, publish

    if not DID_PATTERN.match(dataset):
        raise ConfigError(f"--dataset {dataset!r} is not a Rucio DID 'scope:name'")
    records = datalake.publish(list(files), rse, dataset)
    atomic_write_text(receipt, json.dumps({"rse": rse, "dataset": dataset, "files": records}, indent=2) + "\n")
    publish([receipt])
    for record in records:
        log.info("%s -> %s (adler32 %s)%s", record["file"], record["did"], record["adler32"], "" if record["new"] else " already there")
    click.echo(f"published {len(records)} file(s) to {dataset} on {rse}")


COMMANDS = (fetch, catalogue_group, rucio_group)
