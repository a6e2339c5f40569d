"""``dmcombine limitfile``: validate and inspect standard limit files."""

from __future__ import annotations

import click


@click.group("limitfile")
def limitfile_group() -> None:
    """Validate and inspect standard limit files."""


@limitfile_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def limitfile_validate(files: tuple[str, ...]) -> None:
    """Check FILES against the standard limit-file schema."""
    from dmcombine import limitfile

    for path in files:
        doc = limitfile.read(path)
        click.echo(f"{path}: valid limit-file version {limitfile.version_of(doc)} ({doc['experiment']}, "
                   f"{doc['result']['kind']}, {len(doc['limit']['x'])} points)")


@limitfile_group.command("import")
@click.option("--card", "card_path", type=click.Path(dir_okay=False), help="An import job card (the workflow's way).")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False),
              help="A YAML file with one import, NAME: {format, plane, kind, ...} as in config/imports.yaml.")
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help="With --spec: the published table.")
@click.option("--output", "output", required=True, metavar="[limit=]PATH", help="The limit file to write.")
def limitfile_import(card_path: str | None, spec_path: str | None, input_path: str | None, output: str) -> None:
    """Import a published curve as a standard limit file (version 2, method "published")."""
    from pathlib import Path

    from dmcombine import imports, limitfile
    from dmcombine.catalogue import Checksums
    from dmcombine.cli.options import card_reads, parse_outputs
    from dmcombine.errors import ConfigError
    from dmcombine.fileio import publish
    from dmcombine.planning import cards
    from dmcombine.planning import schema as schemas
    from dmcombine.planning.strict import load_yaml
    from dmcombine.provenance import provenance_record
    from dmcombine.runtime import CardInputs

    if card_path:
        card = cards.read(card_path, "import")
        path = parse_outputs((output if "=" in output else f"limit={output}",), ["limit"], card_reads(card))["limit"]
        spec = dict(card["config"])
        name = spec.pop("name")
        inputs = CardInputs(card, card_path)
        data, source = inputs.read("table")
        record, config, rule = inputs.read_records[0], card["config"], card["rule"]
    else:
        if not (spec_path and input_path):
            raise ConfigError("limitfile import: give --card, or --spec and --input")
        doc = load_yaml(spec_path, "import spec", error=ConfigError)
        if not isinstance(doc, dict) or len(doc) != 1:
            raise ConfigError(f"{spec_path}: expected one import, NAME: {{format, plane, kind, ...}}")
        (name, spec), = doc.items()
        schema = schemas.with_definitions({"$ref": "#/$defs/import"})
        schemas.validate({"did": "local:file", **spec}, schema, f"{spec_path}", prefix=name, error=ConfigError)
        path = output.partition("=")[2] if output.startswith("limit=") else output
        data = Path(input_path).read_bytes()
        source = input_path
        sums = Checksums.of_bytes(data)
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(input_path).name)
        record = {"did": f"local:{safe}", "bytes": sums.bytes, "adler32": sums.adler32, "md5": sums.md5}
        config, rule = {name: spec}, "dmcombine limitfile import"
    doc = imports.convert(spec, data, source, record, name)
    doc["provenance"] = provenance_record([record], config, rule)
    limitfile.write(path, doc)
    publish([path])
    click.echo(f"{path}: imported {name} ({doc['experiment']}, {doc['result']['kind']}, "
               f"{len(doc['limit']['x'])} points, limit-file version {limitfile.version_of(doc)})")


@limitfile_group.command("csv")
@click.argument("file", type=click.Path(dir_okay=False))
def limitfile_csv(file: str) -> None:
    """Print the limit curve of FILE as CSV (x,limit with units in the header)."""
    from dmcombine import limitfile

    click.echo(limitfile.to_csv(limitfile.read(file)), nl=False)


@click.command("citation")
@click.option("--root", type=click.Path(file_okay=False), default=".", show_default=True, help="The repository.")
@click.option("--check", is_flag=True, help="Only compare: exit 1 if CITATION.cff or docs/references.bib is stale.")
def citation(root: str, check: bool) -> None:
    """Write CITATION.cff and docs/references.bib from the experiment registry and the inputs catalogue."""
    from pathlib import Path

    from dmcombine import citation as generate
    from dmcombine.errors import DmcombineError
    from dmcombine.fileio import atomic_write_text

    stale = []
    for path, text in generate.outputs(Path(root)).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(str(path))
            if not check:
                atomic_write_text(path, text)
    if check and stale:
        raise DmcombineError(f"{', '.join(stale)}: stale, regenerate with `dmcombine citation`")
    click.echo(f"{'stale' if stale else 'up to date'}: {', '.join(stale) or 'CITATION.cff, docs/references.bib'}"
               if check else f"wrote {', '.join(stale) or 'nothing (up to date)'}")


COMMANDS = (limitfile_group, citation)
