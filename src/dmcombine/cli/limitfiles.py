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
        click.echo(f"{path}: valid ({doc['experiment']}, {doc['result']['kind']}, {len(doc['limit']['x'])} points)")


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
