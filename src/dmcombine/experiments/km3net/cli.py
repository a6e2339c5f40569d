"""``dmcombine km3net``: commands of the KM3NeT experiment for people (the workflow does not run
them). ``point-source`` is the standard validation case of an IRF release (see
:mod:`~dmcombine.experiments.km3net.pointsource`). Imports nothing heavy until a command runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from dmcombine.errors import ConfigError

CATALOGUE = "config/inputs.yaml"


def _reader(irf_dir: str | None, catalogue: str):
    """read(role) -> (bytes, source): from the catalogued, checksum-verified copies of the
    configured DIDs, or from the collaboration's file names in ``irf_dir``."""
    from dmcombine.catalogue import open_verified, workflow_catalogue
    from dmcombine.planning.workflow import default_block

    dids = default_block("km3net")["inputs"]
    if irf_dir is None:
        cat = workflow_catalogue(catalogue)

        def read(role: str) -> tuple[bytes, str]:
            entry = cat[dids[role]]
            return open_verified(entry, entry.path), entry.path
        return read

    def read_file(role: str) -> tuple[bytes, str]:
        path = Path(irf_dir) / dids[role].split(":", 1)[1].removeprefix("km3net_arca230.")
        try:
            return path.read_bytes(), str(path)
        except OSError as exc:
            raise ConfigError(f"--irf-dir: cannot read {path} ({exc.strerror})") from None
    return read_file


@click.group("km3net")
def km3net_group() -> None:
    """KM3NeT commands for people: validation cases of the instrument response."""


@km3net_group.command("point-source")
@click.option("--detector", type=click.Choice(["arca230"]), default="arca230", show_default=True)
@click.option("--channel", type=click.Choice(["track", "shower"]), required=True,
              help="track: nu_mu CC selected as tracks; shower: nu_e CC selected as showers")
@click.option("--sindec", type=float, required=True, help="sin(declination) of the source")
@click.option("--index", type=float, required=True, help="spectral index G of PHI0 (E/GeV)^-G")
@click.option("--norm", type=float, required=True, help="PHI0 [GeV^-1 s^-1 m^-2], nu + anti-nu of the channel's flavour")
@click.option("--livetime-yr", type=float, required=True, help="livetime [yr]")
@click.option("--cone-deg", type=float, required=True, help="search-cone radius [deg]")
@click.option("--cl", type=float, default=0.9, show_default=True, help="confidence level of the upper limits")
@click.option("--irf-dir", type=click.Path(file_okay=False), default=None,
              help="read the ARCA230 CSV files (the collaboration's names) from this folder instead of the catalogue")
@click.option("--catalogue", default=CATALOGUE, show_default=True, type=click.Path(dir_okay=False),
              help="the shared part of the inputs catalogue (run from the repository)")
def point_source(detector: str, channel: str, sindec: float, index: float, norm: float, livetime_yr: float,
                 cone_deg: float, cl: float, irf_dir: str | None, catalogue: str) -> None:
    """Point-source cut-and-count with the instrument response: one JSON object on stdout."""
    from dmcombine.experiments.km3net import arca230, pointsource

    selection = arca230.read_selection(channel, _reader(irf_dir, catalogue))
    result = pointsource.point_source(selection, sindec, index, norm, livetime_yr, cone_deg, cl)
    click.echo(json.dumps(result, indent=2, allow_nan=False))


COMMANDS = (km3net_group,)
