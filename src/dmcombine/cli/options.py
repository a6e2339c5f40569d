"""The options every job command takes: ``--card CARD`` and ``--output ROLE=PATH`` (repeated)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import click

from dmcombine.errors import ConfigError


def card_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--card", "card_path", required=True,
                        help="The job card (its configuration and inputs).")(function)


def output_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--output", "outputs", multiple=True, metavar="ROLE=PATH",
                        help="Where to write the output with this role (repeat for each).")(function)


def parse_outputs(given: tuple[str, ...], expected: list[str], reads: list[str]) -> dict[str, str]:
    """role -> path from ``--output ROLE=PATH`` options: exactly the ``expected`` roles, none of
    them the same file as one the job reads (``reads``) or as another output."""
    paths: dict[str, str] = {}
    for item in given:
        role, sep, path = item.partition("=")
        if not sep or not role or not path:
            raise ConfigError(f"--output {item!r}: expected ROLE=PATH")
        if role in paths:
            raise ConfigError(f"--output: role {role!r} is given twice")
        paths[role] = path
    if sorted(paths) != sorted(expected):
        raise ConfigError(f"--output: this job writes the roles {', '.join(expected)}; got {', '.join(sorted(paths)) or 'none'}")
    seen: dict[str, str] = {os.path.realpath(p): f"its input {p}" for p in reads}
    for role, path in paths.items():
        real = os.path.realpath(path)
        if real in seen:
            raise ConfigError(f"--output {role}={path} is also {seen[real]}; refusing to overwrite it")
        seen[real] = f"output {role}"
    return paths


def card_reads(card: dict[str, Any]) -> list[str]:
    """Every file a card says its job reads."""
    return [record["path"] for record in card["inputs"].values()] + list(card["files"])
