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
@click.option("--card", "card_path", type=click.Path(dir_okay=False),
              help="The workflow's import job card (every shown curve of the imports section).")
@click.option("--spec", "spec_path", type=click.Path(dir_okay=False),
              help="A YAML file with one import, NAME: {format, plane, kind, ...} as in config/imports.yaml.")
@click.option("--input", "input_path", type=click.Path(dir_okay=False), help="With --spec: the published table.")
@click.option("--output", "outputs", required=True, multiple=True, metavar="NAME=PATH | PATH",
              help="With --card: NAME=PATH for each curve of the card; with --spec: the limit file to write.")
def limitfile_import(card_path: str | None, spec_path: str | None, input_path: str | None, outputs: tuple[str, ...]) -> None:
    """Import published curves as standard limit files (version 2, method "published"). All are
    converted before any is written; nothing is published unless every one converts."""
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

    docs: dict[str, dict] = {}
    if card_path:
        card = cards.read(card_path, "import")
        curves = card["config"]["curves"]
        paths = parse_outputs(outputs, list(curves), card_reads(card))
        inputs = CardInputs(card, card_path)
        for name, spec in curves.items():
            data, source = inputs.read(name)
            doc = imports.convert(dict(spec), data, source, inputs.read_records[-1], name)
            doc["provenance"] = provenance_record([inputs.read_records[-1]], {"name": name, **spec}, card["rule"])
            docs[paths[name]] = doc
    else:
        if not (spec_path and input_path):
            raise ConfigError("limitfile import: give --card, or --spec and --input")
        if len(outputs) != 1:
            raise ConfigError("limitfile import --spec: give one --output, the limit file to write")
        doc = load_yaml(spec_path, "import spec", error=ConfigError)
        if not isinstance(doc, dict) or len(doc) != 1:
            raise ConfigError(f"{spec_path}: expected one import, NAME: {{format, plane, kind, ...}}")
        (name, spec), = doc.items()
        schema = schemas.with_definitions({"$ref": "#/$defs/import"})
        schemas.validate({"did": "local:file", **spec}, schema, f"{spec_path}", prefix=name, error=ConfigError)
        output = outputs[0]
        path = output.partition("=")[2] if output.startswith("limit=") else output
        data = Path(input_path).read_bytes()
        sums = Checksums.of_bytes(data)
        safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in Path(input_path).name)
        record = {"did": f"local:{safe}", "bytes": sums.bytes, "adler32": sums.adler32, "md5": sums.md5}
        doc = imports.convert(spec, data, input_path, record, name)
        doc["provenance"] = provenance_record([record], {name: spec}, "dmcombine limitfile import")
        docs[path] = doc
    for path, doc in docs.items():
        limitfile.write(path, doc)
    publish(list(docs))
    for path, doc in docs.items():
        click.echo(f"{path}: imported {doc['experiment']} ({doc['result']['kind']}, {len(doc['limit']['x'])} points, "
                   f"limit-file version {limitfile.version_of(doc)})")


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
