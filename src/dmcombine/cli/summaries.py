"""What the shared jobs run: ``plot`` (one plot of limit files), ``provenance`` (the table of
every curve on every plot) and ``hepdata`` (the HEPData submission of every limit file)."""

from __future__ import annotations

import logging

import click

from dmcombine.cli.options import card_option, card_reads, output_option, parse_outputs

log = logging.getLogger("dmcombine")


def _published(paths: dict[str, str] | list[str]) -> None:
    from dmcombine.fileio import publish

    for public in publish(list(paths.values()) if isinstance(paths, dict) else paths):
        log.info("published %s", public)


@click.command()
@card_option
@output_option
def plot(card_path: str, outputs: tuple[str, ...]) -> None:
    """One plot (pdf and png roles) of the limit files of a plot card (ours and imported ones)."""
    from dmcombine import curves, limitfile
    from dmcombine.planning import cards
    from dmcombine.planning.paths import display_path

    card = cards.read(card_path, "plot")
    paths = parse_outputs(outputs, ["pdf", "png"], card_reads(card))
    cfg = card["config"]
    references = set(cfg.get("references", []))
    docs = [(path, limitfile.read(path)) for path in card["files"] if display_path(path) not in references]
    lines = [curves.read_reference(path) for path in card["files"] if display_path(path) in references]
    curves.draw(cfg["style"], cfg["title"], docs, paths["pdf"], paths["png"], cfg["styles"],
                x_range=cfg.get("x_range"), references=lines)
    _published(paths)
    log.info("wrote %s and %s (%d limit files)", paths["pdf"], paths["png"], len(docs))


@click.command("provenance")
@card_option
@output_option
def provenance_table(card_path: str, outputs: tuple[str, ...]) -> None:
    """A metadata table (csv and md roles) of every curve on every summary plot."""
    from dmcombine import tables
    from dmcombine.planning import cards

    card = cards.read(card_path, "provenance")
    paths = parse_outputs(outputs, ["csv", "md"], card_reads(card))
    rows = tables.provenance_rows(card["files"])
    tables.write_provenance(rows, paths["csv"], paths["md"])
    _published(paths)
    log.info("wrote %s and %s (%d curves)", paths["csv"], paths["md"], len(rows))


@click.command("results-catalogue")
@card_option
@output_option
def results_catalogue(card_path: str, outputs: tuple[str, ...]) -> None:
    """The browsable results catalogue (index role: results/catalogue/index.html, with every page beside it)."""
    from pathlib import Path

    from dmcombine import site
    from dmcombine.planning import cards
    from dmcombine.provenance import git_commit

    card = cards.read(card_path, "site")
    paths = parse_outputs(outputs, ["index"], card_reads(card))
    out = Path(paths["index"]).parent
    files = [p for p in card["files"] if p.endswith(".json")]
    plots = [p for p in card["files"] if p.endswith(".png")]
    written = site.build(files, plots, card["config"]["datasets"], card["config"]["styles"], out, git_commit())
    _published([str(p) for p in written if str(p) != paths["index"]] + [paths["index"]])  # the index last
    log.info("wrote %s: %d files (%d limit files)", out, len(written), len(files))


@click.command("hepdata")
@card_option
@output_option
def hepdata_export(card_path: str, outputs: tuple[str, ...]) -> None:
    """Every limit file of a hepdata card as a validated HEPData submission (submission role)."""
    from dmcombine import hepdata, limitfile
    from dmcombine.planning import cards
    from dmcombine.planning.paths import display_path

    card = cards.read(card_path, "hepdata")
    paths = parse_outputs(outputs, ["submission"], card_reads(card))
    n = hepdata.export([(display_path(path), limitfile.read(path)) for path in card["files"]], paths["submission"])
    _published(paths)
    log.info("wrote %s: %d table(s), valid for hepdata-validator", paths["submission"], n)


COMMANDS = (plot, provenance_table, hepdata_export, results_catalogue)
