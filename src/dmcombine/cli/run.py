"""``dmcombine run <experiment>`` (one job of an experiment) and ``dmcombine combine``."""

from __future__ import annotations

import logging

import click

from dmcombine.cli.options import card_option, card_reads, output_option, parse_outputs
from dmcombine.errors import ConfigError

log = logging.getLogger("dmcombine")


@click.command("run")
@click.argument("experiment")
@card_option
@output_option
def run(experiment: str, card_path: str, outputs: tuple[str, ...]) -> None:
    """Run one job of EXPERIMENT from its card, writing each output role to its path."""
    from dmcombine import registry
    from dmcombine.fileio import publish
    from dmcombine.planning import cards

    if experiment not in registry.EXPERIMENTS:
        raise ConfigError(f"unknown experiment {experiment!r}; registered: {', '.join(registry.EXPERIMENTS)}")
    card = cards.read(card_path, experiment)
    command = registry.module(experiment, "command")
    paths = parse_outputs(outputs, command.outputs(card), card_reads(card))
    command.run(card, paths, card_path)
    for public in publish(list(paths.values())):
        log.info("published %s", public)
    log.info("wrote %s", ", ".join(paths.values()))


@click.command()
@click.argument("name", required=False)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--card", "card_path", type=click.Path(dir_okay=False), help="A combine job card (instead of NAME FILES).")
@click.option("--cl", "confidence_level", default=0.95, show_default=True,
              type=click.FloatRange(0.5, 1.0, min_open=True, max_open=True))
@click.option("--output", "output", required=True, help="The combined limit file (limit=PATH with --card).")
def combine(name: str | None, files: tuple[str, ...], card_path: str | None, confidence_level: float, output: str) -> None:
    """Combine the likelihoods of limit FILES (same parameter, same assumptions, independent data) as NAME."""
    from dmcombine import combination, limitfile
    from dmcombine.fileio import publish
    from dmcombine.planning import cards
    from dmcombine.planning.paths import display_path
    from dmcombine.provenance import provenance_record, sha256_file

    if card_path:
        if name or files:
            raise ConfigError("combine: give either --card or NAME FILES, not both")
        card = cards.read(card_path, "combine")
        name, confidence_level, files = card["config"]["name"], card["config"]["confidence_level"], tuple(card["files"])
        output = parse_outputs((output,), ["limit"], list(files))["limit"]
    else:
        if not name or len(files) < 2:
            raise ConfigError("combine: give a NAME and at least two limit FILES (or --card)")
        parse_outputs((f"limit={output}",), ["limit"], list(files))
    members = [combination.Member(path, limitfile.read(path)) for path in files]
    result = combination.combine(members, confidence_level)
    inputs = combination.union_of_inputs(members)
    cfg = {"name": name, "confidence_level": confidence_level, "components": [sha256_file(p) for p in files]}
    prov = provenance_record(inputs, cfg, "combine")
    limitfile.write(output, combination.combined_document(name, members, confidence_level, result, prov))
    if "grid" in result:  # a joint exclusion of model points
        _, hi, any_ = result["joint"]
        log.info("joint exclusion: largest excluded %s %.4g %s", result["axis"]["label"], float(hi[any_].max()),
                 result["axis"]["unit"])
    else:
        for x, lim in zip(result["x"], result["limit"], strict=True):
            log.info("x = %.4g: combined limit %.4g", x, lim)
    publish([output])
    log.info("wrote %s", display_path(output))


COMMANDS = (run, combine)
