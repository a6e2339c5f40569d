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


COMMANDS = (limitfile_group,)
