"""The fault and bad-input suite: one table of cases (``FAULTS``, listed in docs/faults.md), one
harness (tests/workflow/faults_harness.py).

Every case starts from a workspace that already holds the results of the default workflow run
(every limit file, plot, table and export published in results/). The case provokes its fault the
way a user meets it: through the workflow (configuration errors) or through the command the
workflow's rule runs, with the rule's own arguments and one thing changed (a hand-edited card, a
user's own input, a mutated limit file). For every case the harness checks that

* the run stops with a handled error (exit status 1 or Snakemake's refusal; a traceback fails),
* the message names the file, field, DID or rule (the pieces each case lists),
* every earlier result, input and staged output is byte-identical, and no new file appears under
  results/, resources/ or the stage, so no partial output is left for a later run to take as valid.

Faults that need a whole scenario (a run killed mid-write, two runs at once, a Rucio server
stopped mid-run, wrong credentials...) follow the table, with the same checks; docs/faults.md lists
them too.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dmcombine import fileio, limitfile
from dmcombine.catalogue import Checksums
from dmcombine.errors import LimitFileError
from dmcombine.planning.paths import staged

from ..conftest import REPO, VENV_BIN, copy_workflow, snakemake, tool_env
from ..services.rucio_lab import RucioLab
from ..unit.test_limitfile import example, set_field
from .faults_harness import Workspace, commands_of, workspace_from

# The jobs whose commands the cases run (and the results they wrote earlier).
EARLIER_TARGETS = ("results/darkside50/published/limit.json", "results/km3net/tautau/10yr.json",
                   "results/combination/sigmav_tautau/limit.json")
DS50 = "darkside50_limit"
FERMI = "fermi_dwarfs_limit"
KM3NET = "km3net_sensitivity"
DS50_ACCEPTANCE = "dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat"
DS50_SUMMARY = "dmcombine:darkside50.highmass.json"
KM3NET_OUT = "results/km3net/tautau/10yr.json"
FERMI_OUT = "results/fermi_dwarfs/albert2017_kinematic/tautau/limit.json"
COMBINED_OUT = "results/combination/sigmav_tautau/limit.json"


@pytest.fixture(scope="session")
def earlier(default_run: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """A copy of the default run, and each rule's command as the workflow runs it."""
    root = tmp_path_factory.mktemp("earlier") / "ws"
    workspace_from(default_run, {}, root)
    commands = commands_of(root, *(staged(t) for t in EARLIER_TARGETS))
    assert {DS50, FERMI, KM3NET, "combine"} <= set(commands), commands
    return root, commands


@pytest.fixture
def workspace(earlier: tuple[Path, dict[str, list[str]]], tmp_path: Path) -> Workspace:
    root, commands = earlier
    return workspace_from(root, commands, tmp_path / "ws")


# --- the cases ------------------------------------------------------------------------------------


def combine_with(ws: Workspace, member: str) -> tuple[int, str]:
    """The combination rule, with the KM3NeT member replaced by ``member``."""
    def edit(card: dict) -> None:
        card["files"] = [member if f.endswith(KM3NET_OUT) else f for f in card["files"]]
    return ws.dmcombine("combine", card=edit)


def mutated_member(path: str, value: object) -> Callable[[Workspace], tuple[int, str]]:
    """The KM3NeT limit file, with one field changed, handed to the combination."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        doc = json.loads(ws.root.joinpath(KM3NET_OUT).read_text())
        return combine_with(ws, ws.user_file("10yr.json", json.dumps(set_field(doc, path, value)).encode()))
    return provoke


def grid_member(doc: dict) -> dict:
    """A limit file turned into one with a likelihood on a grid of model points (version 3)."""
    doc["schema"] = "urn:dmcombine:schema:limit-file:3"
    xs = doc["limit"]["x"]
    doc["likelihood"] = {"type": "gaussian_signal_strength_grid", "construction": "test", "x_values": xs,
                         "grid": {"name": "mediator_mass", "unit": "GeV", "label": "M", "values": [100.0, 200.0]},
                         "mu_hat": [[0.0, 0.0] for _ in xs], "sigma_mu": [[1.0, 1.0] for _ in xs]}
    return doc


def member_text(change: Callable[[str], str]) -> Callable[[Workspace], tuple[int, str]]:
    def provoke(ws: Workspace) -> tuple[int, str]:
        return combine_with(ws, ws.user_file("10yr.json", change(ws.root.joinpath(KM3NET_OUT).read_text()).encode()))
    return provoke


def own_input(rule: str, role: str, content: Callable[[Workspace], bytes]) -> Callable[[Workspace], tuple[int, str]]:
    """A user's own version of an input, recorded with correct checksums but malformed; the rule's
    command runs on it."""
    return lambda ws: ws.dmcombine(rule, card=ws.own_input(rule, role, content(ws)))


def own_acceptance(content: bytes) -> Callable[[Workspace], tuple[int, str]]:
    return own_input(DS50, "acceptance", lambda ws: content)


def own_likelihood(change: Callable[[str], str]) -> Callable[[Workspace], tuple[int, str]]:
    return own_input(FERMI, "likelihood.draco", lambda ws: change(ws.input_bytes(FERMI, "likelihood.draco").decode()).encode())


def own_km3net_input(role: str, content: Callable[[Workspace], bytes]) -> Callable[[Workspace], tuple[int, str]]:
    return own_input(KM3NET, role, content)


KM3IRF_ROLES = ("aeff", "psf", "edisp", "bkg_nu", "bkg_mu")


def km3irf_card(card: dict) -> None:
    """The KM3NeT card switched to the km3irf detector, its IRFs recorded as the planner records them."""
    from dmcombine.catalogue import workflow_catalogue
    from dmcombine.planning.workflow import default_block

    catalogue, dids = workflow_catalogue(REPO / "config/inputs.yaml"), default_block("km3net")["inputs"]
    card["config"]["detector"]["name"] = "km3irf"
    card["inputs"] = {role: record for role, record in card["inputs"].items() if not role.startswith("arca230_")}
    for role in KM3IRF_ROLES:
        entry = catalogue[dids[role]]
        card["inputs"][role] = {"did": entry.did, "path": entry.path, "bytes": entry.checksums.bytes,
                                "adler32": entry.checksums.adler32, "md5": entry.checksums.md5}


def own_km3irf_input(role: str, content: Callable[[], bytes]) -> Callable[[Workspace], tuple[int, str]]:
    """A malformed km3irf IRF on a card switched to the km3irf detector."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        def edit(card: dict) -> None:
            km3irf_card(card)
            ws.own_input(KM3NET, role, content())(card)
        return ws.dmcombine(KM3NET, card=edit)
    return provoke


def _rebinned_background() -> bytes:
    """The ARCA230 track background with its top two reconstructed-energy bins merged."""
    head, *rows = arca230_file("bkg_track.csv").decode().strip().splitlines()
    table = [[float(x) for x in r.split(",")] for r in rows]
    top = [r for r in table if r[0] >= 7.3 - 1e-9]
    kept = [r for r in table if r[0] < 7.3 - 1e-9]
    merged = [[7.3, 7.65, 8.0, *a[3:6], a[6] + b[6]] for a, b in zip(top[:40], top[40:], strict=True)]
    return (head + "\n" + "\n".join(",".join(repr(x) for x in r) for r in kept + merged) + "\n").encode()


def km3irf_file(name: str) -> bytes:
    return (REPO / "data/km3net_irf" / name).read_bytes()


def arca230_file(name: str) -> bytes:
    return (REPO / "data/km3net_arca230" / name).read_bytes()


def _summary_without_total(ws: Workspace) -> bytes:
    doc = json.loads(ws.input_bytes(DS50, "summary"))
    del doc["event_yields"]["total"]
    return json.dumps(doc).encode()


def workflow_config(override: str) -> Callable[[Workspace], tuple[int, str]]:
    return lambda ws: ws.workflow(override)


def tampered_shipped(change: Callable[[bytes], bytes], role: str = "acceptance") -> Callable[[Workspace], tuple[int, str]]:
    """A shipped copy changed after it was catalogued; the rule that reads it runs again."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        ws.replace_shipped(DS50, role, change(ws.input_bytes(DS50, role)))
        return ws.dmcombine(DS50)
    return provoke


def stale_copy(ws: Workspace) -> tuple[int, str]:
    """A copy of an input edited by hand and named in the card (its catalogued checksums kept)."""
    path = ws.user_file(f"dmcombine/{DS50_SUMMARY.split(':')[1]}", ws.input_bytes(DS50, "summary") + b" ")
    return ws.dmcombine(DS50, card=lambda card: card["inputs"]["summary"].update(path=path))


def catalogue_without_md5(ws: Workspace) -> tuple[int, str]:
    text = (ws.root / "config/inputs.yaml").read_text()
    first = re.search(r'\n    md5: "[0-9a-f]{32}"', text)
    ws.user_file("inputs.yaml", (text[:first.start()] + text[first.end():]).encode())
    return ws.workflow("inputs: {catalogue: user/inputs.yaml}")


def rucio_server_down(ws: Workspace) -> tuple[int, str]:
    """Rucio mode with nothing listening at the configured server (a lab that was never started)."""
    down = RucioLab(ws.root / "user/rucio")
    return ws.fetch(DS50_SUMMARY, Checksums.of_bytes(ws.input_bytes(DS50, "summary")), down.env())


DID_NEVER_UPLOADED = "dmcombine:darkside50.never_uploaded.json"


def from_the_lake(did: str = DS50_ACCEPTANCE, password: str | None = None,
                  corrupt: bool = False) -> Callable[[Workspace], tuple[int, str]]:
    """Fetch a DID from the real Rucio server, with a wrong password, or with its replica damaged
    on the RSE."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        lab = ws.rucio
        config = lab.client_config(password=password, name="wrong.cfg") if password else None
        sums = Checksums.of_bytes(ws.input_bytes(DS50, "acceptance")) if did == DS50_ACCEPTANCE else Checksums(10, "0" * 8, "0" * 32)
        replica, original = None, b""
        if corrupt:
            [replica] = [p for p in lab.rse_dir.rglob(did.split(":")[1]) if p.is_file()]
            original = replica.read_bytes()
            replica.write_bytes(original.replace(b"e-01", b"e-02", 1))
        try:
            status, output = ws.fetch(did, sums, lab.env(config))
        finally:
            if replica is not None:
                replica.write_bytes(original)
        assert not password or password not in output, "the password leaked into the output"
        return status, output
    return provoke


def disk_full(ws: Workspace) -> tuple[int, str]:
    """The limit file cannot be written (ENOSPC at fsync) while the rule rewrites an earlier result."""
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    real = fileio.os.fsync
    fileio.os.fsync = no_space
    try:
        return ws.dmcombine(DS50, card=lambda card: card["config"].update(confidence_level=0.95))
    finally:
        fileio.os.fsync = real


def user_catalogue(change: Callable[[str], str]) -> Callable[[Workspace], tuple[int, str]]:
    """The workflow with a user's copy of the shared inputs catalogue, changed."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        ws.user_file("inputs.yaml", change((ws.root / "config/inputs.yaml").read_text()).encode())
        return ws.workflow("inputs: {catalogue: user/inputs.yaml}")
    return provoke


def _duplicate_first_entry(text: str) -> str:
    head, body = text.split("inputs:\n", 1)
    first = body.split("\n  - did:", 1)[0]
    return f"{head}inputs:\n{first}\n{body}"


def logs_is_a_file(ws: Workspace) -> tuple[int, str]:
    (ws.root / "logs").rename(ws.root / "user-logs")
    (ws.root / "logs").write_text("not a folder\n")
    return ws.workflow("{}")


def card_text(rule: str, change: Callable[[str], str]) -> Callable[[Workspace], tuple[int, str]]:
    """The rule's command with its card's text changed (written to user/card.yaml)."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        argv = ws.commands[rule]
        text = (ws.root / argv[argv.index("--card") + 1]).read_text()
        return ws.dmcombine(rule, options={"--card": ws.user_file("card.yaml", change(text).encode())})
    return provoke


ALIAS_BOMB = "\n".join(["a: &a [x, x, x, x, x, x, x, x, x]"] + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join(
    [f"*{chr(97 + i)}"] * 9) + "]" for i in range(6)]) + "\n"


def special_input(kind: str) -> Callable[[Workspace], tuple[int, str]]:
    """An input path that is a FIFO, a directory or nothing (a FIFO read would block forever)."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        path = ws.root / "user" / kind
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "folder":
            path.mkdir()
        return ws.dmcombine(DS50, card=lambda card: card["inputs"]["acceptance"].update(path=f"user/{kind}"))
    return provoke


def fifo_member(ws: Workspace) -> tuple[int, str]:
    os.mkfifo(ws.root / "user-fifo.json")
    return combine_with(ws, "user-fifo.json")


def by_hand(*argv: str) -> Callable[[Workspace], tuple[int, str]]:
    """A command as a user types it in the workspace."""
    return lambda ws: ws.run(list(argv))


def point_source(sindec: str = "0.475", cone: str = "1", livetime: str = "1", *extra: str) -> Callable[[Workspace], tuple[int, str]]:
    """``dmcombine km3net point-source`` on the ARCA230 tracks (the note's case) with one argument changed."""
    return by_hand("km3net", "point-source", "--channel", "track", "--index", "2", "--norm", "5e-5",
                   "--sindec", sindec, "--cone-deg", cone, "--livetime-yr", livetime, *extra)


def point_source_irf_dir(change: Callable[[bytes], bytes]) -> Callable[[Workspace], tuple[int, str]]:
    """The point-source command reading the collaboration's files from a folder (--irf-dir), the
    track effective area edited."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        for path in (REPO / "data/km3net_arca230").glob("*.csv"):
            data = path.read_bytes()
            ws.user_file(f"arca230/{path.name}", change(data) if path.name.startswith("aeff_coszen_allnumuCC") else data)
        return point_source("0.475", "1", "1", "--irf-dir", "user/arca230")(ws)
    return provoke


IMPORT_SPEC = {"format": "text", "plane": "si", "kind": "observed", "experiment": "Toy", "analysis": "a test curve",
               "label": "Toy 2026", "digitised_by": "a test", "licence": "CC0", "layer": "test", "confidence_level": 0.9,
               "units": {"x": "GeV", "value": "cm^2"}, "references": [{"citation": "Toy Collaboration (2026)"}]}


def bad_import(table: bytes, drop: tuple[str, ...] = (), **change: object) -> Callable[[Workspace], tuple[int, str]]:
    """``dmcombine limitfile import`` of a user's table with a spec changed from a good one."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        spec = {k: v for k, v in {**IMPORT_SPEC, **change}.items() if k not in drop}
        ws.user_file("spec.yaml", yaml.safe_dump({"bad": spec}).encode())
        ws.user_file("table.txt", table)
        return ws.run(["limitfile", "import", "--spec", "user/spec.yaml", "--input", "user/table.txt",
                       "--output", "results/imported/bad/limit.json"])
    return provoke


GOOD_TABLE = b"# mass [GeV]  sigma [cm^2]\n10 1e-45\n100 1e-46\n1000 1e-45\n"


def no_rucio_config(ws: Workspace) -> tuple[int, str]:
    env = {"RUCIO_CONFIG": str(ws.root / "user/no-such-rucio.cfg"), "RUCIO_HOME": str(ws.root / "user")}
    return ws.fetch(DS50_SUMMARY, Checksums.of_bytes(ws.input_bytes(DS50, "summary")), env)


@dataclass(frozen=True)
class Fault:
    category: str
    case: str
    provoke: Callable[[Workspace], tuple[int, str]]
    expect: tuple[str, ...]
    workflow: bool = False  # runs Snakemake (slow): marked `workflow`
    rucio: bool = False  # needs the session's Rucio server: marked `rucio`

    @property
    def number(self) -> int:  # the row in docs/faults.md
        return FAULTS.index(self) + 1

    def row(self) -> str:
        """The row of docs/faults.md for this case."""
        if self.workflow and self.category == "execution":
            checked = "the failing job publishes nothing; kept; no partial"
        elif self.workflow:
            checked = "no job starts; kept; no partial"
        else:
            checked = "kept; no partial"
        pieces = ", ".join(f"`{p}`".replace("|", "\\|") for p in self.expect)
        return f"| {self.number} | {self.category} | {self.case} | {pieces} | {checked} | `test_faults::test_fault` |"


FAULTS = [  # new cases go at the end (their number is their place; the scenario rows follow)
    # config: the workflow refuses before any job starts
    Fault("config", "points: 1.5", workflow_config("darkside50: {mass_grid_gev: {min: 10, max: 10000, points: 1.5}}"),
          ("mass_grid_gev", "points", "1.5", "integer"), True),
    Fault("config", "negative density", workflow_config(
        "darkside50: {model: {halo: {rho_gev_cm3: -0.3, v0_km_s: 220, vesc_km_s: 544, vearth_km_s: 232}}}"),
        ("rho_gev_cm3", "-0.3", "minimum"), True),
    Fault("config", "unknown counting method", workflow_config("darkside50: {counting_method: feldman}"),
          ("counting_method", "feldman", "is not one of"), True),
    Fault("config", "unknown key (typo)", workflow_config("darkside50: {confidence_lvl: 0.9}"),
          ("confidence_lvl", "Additional properties are not allowed"), True),
    Fault("config", "mass grid min > max", workflow_config("darkside50: {mass_grid_gev: {min: 1000, max: 10, points: 60}}"),
          ("darkside50.mass_grid_gev", "min (1000) is larger than max (10)"), True),
    Fault("config", "unknown experiment", workflow_config("experiments: [darkside51]"), ("darkside51", "is not one of"), True),
    Fault("config", "DID not in the catalogue", workflow_config("darkside50: {inputs: {summary: 'dmcombine:darkside50.nope.json'}}"),
          ("darkside50.inputs.summary", "dmcombine:darkside50.nope.json", "not in the inputs catalogue"), True),
    Fault("config", "unknown dwarf (typo)", workflow_config(
        "fermi_dwarfs: {dwarf_sets: {mine: {description: x, jfactors: [albert2017_kinematic], dwarfs: [draco, dracoo]}}}"),
        ("fermi_dwarfs.dwarf_sets.mine.dwarfs", "unknown dwarf 'dracoo'", "known: bootes_I"), True),
    Fault("config", "unknown channel", workflow_config("fermi_dwarfs: {channels: [bb, bbbar]}"), ("bbbar", "is not one of"), True),
    Fault("config", "unknown dwarf set", workflow_config("fermi_dwarfs: {run_sets: [albert2071]}"),
          ("fermi_dwarfs.run_sets", "'albert2071' is not defined"), True),
    Fault("config", "variant with a typo", workflow_config("darkside50: {variants: {shm2021: {halo: {rho_gev_cm33: 0.4}}}}"),
          ("rho_gev_cm33", "Additional properties are not allowed"), True),
    Fault("config", "empty mass grid", workflow_config("darkside50: {mass_grid_gev: {min: 10, max: 10000, points: 0}}"),
          ("points", "0 is less than the minimum of 1"), True),
    Fault("config", "negative system temperature", workflow_config("madmax: {setups: {prototype: {system_temperature_k: -4.0}}}"),
          ("system_temperature_k", "-4.0", "minimum"), True),
    Fault("config", "zero measurement time", workflow_config(
        "madmax: {setups: {full_scale: {ranges: [{min_uev: 40, max_uev: 400, time_days: 0}]}}}"), ("time_days", "0", "minimum"), True),
    Fault("config", "B = 0", workflow_config("madmax: {setups: {prototype: {magnet_field_t: 0}}}"),
          ("magnet_field_t", "0", "minimum"), True),
    Fault("config", "KM3NeT livetime to combine not computed", workflow_config("km3net: {combine_livetime_yr: 7}"),
          ("km3net.combine_livetime_yr", "7 is not one of livetimes_yr"), True),
    Fault("config", "unknown oscillation mode", workflow_config("km3net: {oscillations: {mode: flat}}"),
          ("flat", "is not one of", "mixing_angles"), True),
    Fault("config", "unknown halo profile", workflow_config("km3net: {halo: {profile: einastoo}}"),
          ("einastoo", "is not one of"), True),
    # inputs: shipped copies and the catalogue
    Fault("inputs", "tampered shipped file (edited)", tampered_shipped(lambda b: b.replace(b"e-01", b"e-02", 1)),
          (DS50_ACCEPTANCE, "adler32", "md5")),
    Fault("inputs", "truncated shipped file", tampered_shipped(lambda b: b[: len(b) // 2]), (DS50_ACCEPTANCE, "bytes")),
    Fault("inputs", "file swapped for another experiment's", tampered_shipped(
        lambda b: (REPO / "data/fermi_dwarfs/likelihoods/like_draco.txt").read_bytes()), (DS50_ACCEPTANCE, "md5")),
    Fault("inputs", "stale hand-edited copy", stale_copy, (DS50_SUMMARY, "darkside50.highmass.json")),
    Fault("inputs", "catalogue entry without md5", catalogue_without_md5,
          ("user/inputs.yaml", "dmcombine:dd_context.lz_2024.txt", "md5"), True),
    # inputs: a user's own, correctly registered, but malformed files
    Fault("inputs", "NaN in the acceptance table", own_acceptance(b"50 0.1\n60 nan\n70 0.7\n"),
          ("darkside50.overall_nr_acceptance_vs_enr.dat", "row 2 holds a non-finite value")),
    Fault("inputs", "negative acceptance", own_acceptance(b"50 0.1\n60 -0.5\n70 0.7\n"),
          ("darkside50.overall_nr_acceptance_vs_enr.dat", "row 2 is (60.0, -0.5)")),
    Fault("inputs", "acceptance above 1", own_acceptance(b"50 0.1\n60 1.7\n70 0.7\n"), ("row 2 is (60.0, 1.7)",)),
    Fault("inputs", "wrong number of columns", own_acceptance(b"50 0.1 3\n60 0.5 3\n70 0.7 3\n"),
          ("darkside50.overall_nr_acceptance_vs_enr.dat", "two columns")),
    Fault("inputs", "empty table", own_acceptance(b""), ("darkside50.overall_nr_acceptance_vs_enr.dat", "the file is empty")),
    Fault("inputs", "comma-separated table", own_acceptance(b"50,0.1\n60,0.5\n70,0.7\n"), ("two numeric columns",)),
    Fault("inputs", "too few rows", own_acceptance(b"50 0.1\n60 0.5\n"), ("at least 3 rows",)),
    Fault("inputs", "JSON summary with a missing field", own_input(DS50, "summary", _summary_without_total),
          ("darkside50.highmass.json", "expected fields")),
    Fault("inputs", "Fermi likelihood with a missing bin", own_likelihood(lambda t: "\n".join(t.splitlines()[:-25]) + "\n"),
          ("like_draco.txt", "575 rows, expected 24 energy bins × 25 fluxes")),
    Fault("inputs", "NaN in a likelihood", own_likelihood(lambda t: t.replace("-0.382680352", "nan", 1)),
          ("like_draco.txt", "data row 2 holds NaN")),
    Fault("inputs", "bad column in a likelihood", own_likelihood(lambda t: t.replace("-0.382680352", "-0.38 7", 1)),
          ("like_draco.txt", "expected four numeric columns")),
    Fault("inputs", "empty likelihood", own_likelihood(lambda t: ""), ("like_draco.txt", "expected four numeric columns")),
    Fault("inputs", "truncated FITS (PSF)", own_km3irf_input(
        "psf", lambda: km3irf_file("psf.fits")[:5000]),
        ("km3net_irf.psf.fits", "not a readable GADF FITS file")),
    Fault("inputs", "truncated FITS (effective area)", own_km3irf_input(
        "aeff", lambda: km3irf_file("aeff.fits")[:2880]),
        ("km3net_irf.aeff.fits",)),
    Fault("inputs", "truncated FITS (background)", own_km3irf_input(
        "bkg_nu", lambda: km3irf_file("bkg_nu.fits")[:100]),
        ("km3net_irf.bkg_nu.fits",)),
    Fault("inputs", "FITS swapped for another IRF", own_km3irf_input(
        "aeff", lambda: km3irf_file("psf.fits")),
        ("km3net_irf.aeff.fits", "no FITS extension 'EFFECTIVE AREA'")),
    Fault("inputs", "CosmiXs file swapped for a PPPC table", own_km3net_input(
        "spectra_numu", lambda ws: (REPO / "data/spectra/pppc4dmid/AtProduction_gammas.dat").read_bytes()),
        ("spectra.cosmixs_atproduction_numu.dat", "expected a CosmiXs header")),
    Fault("inputs", "truncated ARCA230 table (effective area)", own_km3net_input(
        "arca230_aeff_track", lambda ws: b"\n".join(arca230_file("aeff_coszen_allnumuCC_track.csv").splitlines()[:-7]) + b"\n"),
        ("km3net_arca230.aeff_coszen_allnumuCC_track.csv", "rows, but its", "a truncated table?")),
    Fault("inputs", "ARCA230 table swapped for another kind", own_km3net_input(
        "arca230_bkg_shower", lambda ws: arca230_file("energyresponse_nueCC_shower.csv")),
        ("km3net_arca230.bkg_shower.csv", "an ARCA230 bkg table has the columns")),
    Fault("inputs", "ARCA230 background re-binned in energy", own_km3net_input(
        "arca230_bkg_track", lambda ws: _rebinned_background()),
        ("km3net_arca230.bkg_track.csv", "reconstructed-energy bins differ from the energy response's")),
    # physics: configurations that have no meaning
    Fault("physics", "dwarf without a J-factor", lambda ws: ws.dmcombine(
        FERMI, card=lambda c: c["config"]["sets"][0]["dwarf_set"]["dwarfs"].append("tucana_II")), ("tucana_II", "J-factor")),
    Fault("physics", "the Galactic Centre never below the horizon", lambda ws: ws.dmcombine(
        KM3NET, card=lambda c: (km3irf_card(c), c["config"]["detector"]["km3irf"].update(latitude_deg=-70.0))),
        ("never reaches zenith 90",)),
    # limit files handed to the combination
    Fault("limit files", "schema version from the future", mutated_member("schema", "urn:dmcombine:schema:limit-file:4"),
          ("user/10yr.json", "limit-file version 4; this dmcombine reads versions 1, 2, 3")),
    Fault("limit files", "missing likelihood block", mutated_member("likelihood", KeyError),
          ("user/10yr.json", "'likelihood' is a required property")),
    Fault("limit files", "inconsistent grid lengths", mutated_member("limit/value", lambda v: v[:-1]),
          ("user/10yr.json", "/limit/value has", "but /limit/x has")),
    Fault("limit files", "unsorted x", mutated_member("limit/x", lambda v: v[::-1]), ("user/10yr.json", "/limit/x must be strictly increasing")),
    Fault("limit files", "negative value", mutated_member("limit/value/1", -1.0), ("user/10yr.json", "/limit/value/1", "minimum")),
    Fault("limit files", "unknown result kind", mutated_member("result/kind", "projectd"), ("user/10yr.json", "/result/kind", "'projectd'")),
    Fault("limit files", "missing unit", mutated_member("x/unit", KeyError), ("user/10yr.json", "field /x", "'unit' is a required property")),
    Fault("limit files", "NaN in a limit", member_text(lambda t: re.sub(r'("value":\s*\[)', r"\1NaN, ", t, count=1)),
          ("user/10yr.json", "not valid JSON")),
    Fault("limit files", "not JSON at all", member_text(lambda t: t[: len(t) // 2]), ("user/10yr.json", "not valid JSON")),
    Fault("limit files", "missing file", lambda ws: combine_with(ws, "user/none.json"), ("user/none.json", "no such limit file")),
    # combination: files that do not constrain the same thing
    Fault("combination", "units that do not match", mutated_member("parameter_of_interest/unit", "cm^3 s^-1"),
          ("user/10yr.json", FERMI_OUT, "different unit of the parameter of interest")),
    Fault("combination", "observed vs expected", mutated_member("result/kind", "expected"),
          ("user/10yr.json", FERMI_OUT, "different result kind")),
    Fault("combination", "other channel", mutated_member("model/assumptions/channel", "bb"),
          ("user/10yr.json", FERMI_OUT, "different assumption 'channel'")),
    Fault("combination", "other unit of x", mutated_member("x/unit", "TeV"), ("user/10yr.json", "different unit of x")),
    Fault("combination", "no overlap in x", mutated_member("limit/x", lambda v: [x * 1e6 for x in v]), ("the x ranges do not overlap",)),
    Fault("combination", "same experiment twice", lambda ws: combine_with(ws, FERMI_OUT), ("built on the same data",)),
    # data lake and execution
    Fault("data lake", "Rucio server down", rucio_server_down, ("did not answer after 2 attempts",)),
    Fault("data lake", "missing DID", from_the_lake(DID_NEVER_UPLOADED), (f"DID {DID_NEVER_UPLOADED} does not exist on",),
          rucio=True),
    Fault("data lake", "corrupted replica", from_the_lake(corrupt=True),
          (DS50_ACCEPTANCE, "adler32", "md5", "replica downloaded from"), rucio=True),
    Fault("data lake", "wrong credentials", from_the_lake(password="not-the-password-7d2a"), ("CannotAuthenticate",), rucio=True),
    # --- checks that run before any job starts (issue: every cross-field check up front) ---
    Fault("config", "Fermi <sigma v> grid with min > max", workflow_config(
        "fermi_dwarfs: {sigmav_grid_cm3_s: {min: 1.0e-15, max: 1.0e-30, points_per_decade: 40}}"),
        ("fermi_dwarfs.sigmav_grid_cm3_s", "must be below max"), True),
    Fault("config", "typo in the Fermi reference set", workflow_config("fermi_dwarfs: {reference_set: albert2017_kinematc}"),
          ("fermi_dwarfs.reference_set", "'albert2017_kinematc' is not one of the sets run"), True),
    Fault("config", "duplicate DID in the catalogue", user_catalogue(_duplicate_first_entry),
          ("dmcombine:dd_context.lz_2024.txt", "listed twice", "user/inputs.yaml"), True),
    Fault("config", "duplicate key in a config file", workflow_config(
        "darkside50: {confidence_level: 0.9}\ndarkside50: {confidence_level: 0.95}"),
        ("bad.yaml", "'darkside50' appears twice"), True),
    Fault("config", "YAML alias bomb in a config file", workflow_config(ALIAS_BOMB), ("bad.yaml", "aliases are limited"), True),
    Fault("config", "NaN in a config file", workflow_config("darkside50: {confidence_level: .nan}"),
          ("bad.yaml", "/darkside50/confidence_level", "not a finite number"), True),
    Fault("config", "shared variant with half a halo", workflow_config("dd_variants: {hot: {halo: {rho_gev_cm3: 0.4}}}"),
          ("dd_variants.hot.halo", "'v0_km_s' is a required property"), True),
    Fault("config", "shared variant changing the target", workflow_config(
        "dd_variants: {xe: {target: {name: Xe, isotopes: [{mass_number: 131, atomic_number: 54, mass_u: 130.9}]}}}"),
        ("dd_variants.xe", "'target' was unexpected"), True),
    Fault("config", "a variant defined twice", workflow_config("darkside50: {variants: {halo_2021: {}}}"),
          ("darkside50.variants.halo_2021", "also defined in dd_variants"), True),
    Fault("config", "a variant name that climbs out of its folder", workflow_config("darkside50: {variants: {'../evil': {}}}"),
          ("../evil", "does not match"), True),
    Fault("config", "the same exposure twice (1e3 and 1000)", workflow_config("xlzd: {exposures_t_yr: [1.0e+3, 1000]}"),
          ("xlzd.exposures_t_yr", "non-unique elements"), True),
    Fault("config", "empty KM3NeT energy window", workflow_config("km3net: {window: {e_reco_min_gev: 1.0e+5, e_reco_max_gev: 10}}"),
          ("km3net.window", "must be below e_reco_max_gev"), True),
    Fault("config", "empty XLZD recoil window", workflow_config("xlzd: {efficiency: {window_kevnr: [60, 1]}}"),
          ("xlzd.efficiency.window_kevnr", "is empty"), True),
    Fault("config", "overlapping MADMAX ranges", workflow_config(
        "madmax: {setups: {prototype: {ranges: [{min_uev: 76, max_uev: 77, time_days: 1}, {min_uev: 76.5, max_uev: 78, time_days: 1}]}}}"),
        ("madmax.setups.prototype.ranges", "overlap"), True),
    Fault("config", "unknown MADMAX setup to run", workflow_config("madmax: {run_setups: [protoype]}"),
          ("madmax.run_setups", "'protoype' is not defined"), True),
    Fault("config", "ATLAS mediator grid with min > max", workflow_config(
        "atlas_dilepton: {grid: {mediator_gev: {min: 6000, max: 250, points: 10}, dm_gev: {min: 1, max: 3000, points: 10}}}"),
        ("atlas_dilepton.grid.mediator_gev", "larger than max"), True),
    Fault("config", "raw context curves (an old config)", workflow_config(
        "summary: {context: {si: [{label: x, did: 'dmcombine:dd_context.lz_2024.txt'}]}}"),
        ("summary.context", "published curves are imports now", "the plots read only limit files"), True),
    Fault("config", "combination group with a missing file", workflow_config(
        "combination: {groups: {mine: [results/km3net/tautau/10yr.json, user/none.json]}}"),
        ("combination.groups.mine", "user/none.json", "neither a limit file this run writes nor an existing file"), True),
    Fault("config", "combination group whose members share data", workflow_config(
        "combination: {groups: {dbl: [results/fermi_dwarfs/albert2017_kinematic/tautau/limit.json, "
        "results/fermi_dwarfs/ackermann2015/tautau/limit.json]}}"),
        ("combination.groups.dbl", "share the inputs", "the same data would count twice"), True),
    Fault("config", "combination group named like an automatic one", workflow_config(
        "combination: {groups: {sigmav_tautau: [results/km3net/tautau/10yr.json, results/km3net/bb/10yr.json]}}"),
        ("combination.groups.sigmav_tautau", "already has this name"), True),
    Fault("config", "catalogue path outside the repository", user_catalogue(
        lambda t: t.replace("path: data/dd_context/LZ_2024.txt", "path: ../LZ_2024.txt", 1)),
        ("user/inputs.yaml", "'../LZ_2024.txt'", "inside the repository"), True),
    Fault("config", "a DID that climbs out of its folder", user_catalogue(
        lambda t: t.replace("did: dmcombine:dd_context.lz_2024.txt", "did: '..:evil.json'", 1)),
        ("user/inputs.yaml", "'..:evil.json'", "is not a Rucio DID"), True),
    Fault("config", "unknown top-level key", workflow_config("darkside_50: {confidence_level: 0.9}"),
          ("'darkside_50' was unexpected",), True),
    Fault("config", "logs/ replaced by a file", logs_is_a_file, ("logs", "is not a folder"), True),
    Fault("execution", "a DarkSide-50 grid of 1-15 GeV (fails at run time)", workflow_config(
        "darkside50: {mass_grid_gev: {min: 1, max: 15, points: 5}}"),
        ("darkside50", "no mass of darkside50.mass_grid_gev gives a recoil inside the acceptance window"), True),
    # --- job cards written or edited by hand ---
    Fault("cards", "a card missing a key", lambda ws: ws.dmcombine(DS50, card=lambda c: c["config"].pop("counting_method")),
          ("job card user/card.yaml", "'counting_method' is a required property")),
    Fault("cards", "a card with an extra key", lambda ws: ws.dmcombine(DS50, card=lambda c: c["config"].update(confidence_lvl=0.95)),
          ("job card user/card.yaml", "'confidence_lvl' was unexpected")),
    Fault("cards", "NaN confidence level in a card", lambda ws: ws.dmcombine(
        DS50, card=lambda c: c["config"].update(confidence_level=float("nan"))),
        ("user/card.yaml", "/config/confidence_level", "not a finite number")),
    Fault("cards", "a card of another kind", lambda ws: ws.dmcombine(DS50, card=lambda c: c.update(kind="xlzd")),
          ("user/card.yaml", "field 'kind' is 'xlzd'", "'darkside50' cards")),
    Fault("cards", "a card from a newer dmcombine", lambda ws: ws.dmcombine(
        DS50, card=lambda c: c.update(schema="urn:dmcombine:schema:job-card:2")),
        ("user/card.yaml", "this dmcombine reads urn:dmcombine:schema:job-card:1")),
    Fault("cards", "a card with a duplicate key", card_text(DS50, lambda t: t + "rule: darkside50_limit\n"),
          ("user/card.yaml", "'rule' appears twice")),
    Fault("cards", "an alias bomb in a card", card_text(DS50, lambda t: ALIAS_BOMB), ("user/card.yaml", "aliases are limited")),
    Fault("cards", "a card that is a folder", lambda ws: ws.dmcombine(DS50, options={"--card": "data"}),
          ("job card data", "is a directory")),
    Fault("cards", "a card that does not exist", lambda ws: ws.dmcombine(DS50, options={"--card": "user/none.yaml"}),
          ("job card user/none.yaml does not exist",)),
    Fault("cards", "a card with a wrong checksum", lambda ws: ws.dmcombine(
        DS50, card=lambda c: c["inputs"]["acceptance"].update(md5="0" * 32)), (DS50_ACCEPTANCE, "does not match", "md5")),
    Fault("cards", "an output role the job does not write", lambda ws: ws.dmcombine(
        DS50, options={"--output": "lmit=.dmcombine/stage/results/darkside50/published/limit.json"}),
        ("this job writes the roles limit; got lmit",)),
    Fault("cards", "an output that is one of the job's inputs", lambda ws: ws.dmcombine(
        DS50, options={"--output": "limit=data/darkside50/highmass.txt"}),
        ("--output limit=data/darkside50/highmass.txt is also its input", "refusing to overwrite it")),
    Fault("cards", "a combination written over one of its inputs", lambda ws: ws.dmcombine(
        "combine", options={"--output": f"limit={staged(KM3NET_OUT)}"}),
        (KM3NET_OUT, "is also its input", "refusing to overwrite it")),
    Fault("inputs", "a FIFO as an input", special_input("fifo"), (DS50_ACCEPTANCE, "user/fifo", "not a regular file")),
    Fault("inputs", "a folder as an input", special_input("folder"), (DS50_ACCEPTANCE, "user/folder", "is a directory")),
    Fault("inputs", "an input that is not there", special_input("gone"), (DS50_ACCEPTANCE, "user/gone", "does not exist")),
    # --- limit files: readers as strict as the writer ---
    Fault("limit files", "an infinite limit (1e999)", member_text(lambda t: re.sub(r'("value":\s*\[)', r"\g<1>1e999, ", t, count=1)),
          ("user/10yr.json", "field /limit/value/0", "not a finite number")),
    Fault("limit files", "a key twice (the second naming another experiment)", member_text(
        lambda t: t.replace('{\n  "schema"', '{\n  "experiment": "Other",\n  "schema"', 1)),
        ("user/10yr.json", "'experiment' appears twice")),
    Fault("limit files", "JSON nested 10^5 deep", lambda ws: combine_with(
        ws, ws.user_file("deep.json", b"[" * 100000 + b"]" * 100000)), ("user/deep.json", "nested deeper than 64 levels")),
    Fault("limit files", "a FIFO as a limit file", fifo_member, ("user-fifo.json", "not a regular file")),
    Fault("limit files", "not UTF-8", lambda ws: combine_with(
        ws, ws.user_file("utf16.json", ws.root.joinpath(KM3NET_OUT).read_text().encode("utf-16"))), ("user/utf16.json", "not UTF-8")),
    # --- combinations: independence and defining assumptions ---
    Fault("combination", "a combination and one of its own members", by_hand(
        "combine", "dbl", COMBINED_OUT, FERMI_OUT, "--output", "user/dbl.json"),
        (COMBINED_OUT, FERMI_OUT, "built on the same data", "dmcombine:fermi_dwarfs.like_")),
    Fault("combination", "two Fermi-LAT dwarf sets sharing dwarfs", by_hand(
        "combine", "sets", FERMI_OUT, "results/fermi_dwarfs/ackermann2015/tautau/limit.json", "--output", "user/sets.json"),
        ("built on the same data", "dmcombine:fermi_dwarfs.like_")),
    Fault("combination", "direct-detection results under different halos", by_hand(
        "combine", "dd", "results/darkside50/published/limit.json", "results/xlzd/design_book/200tyr/projected.json",
        "--output", "user/dd.json"), ("results/darkside50/published/limit.json", "different assumption 'halo'", "238.0")),
    Fault("combination", "--output naming one of its inputs", by_hand(
        "combine", "over", FERMI_OUT, KM3NET_OUT, "--output", KM3NET_OUT), (KM3NET_OUT, "refusing to overwrite it")),
    Fault("data lake", "no Rucio client configuration at all", no_rucio_config, (DS50_SUMMARY, "failed")),
    Fault("execution", "disk full while rewriting a result", disk_full,
          ("results/darkside50/published/limit.json", "No space left on device", "the previous file")),
    # published curves imported as limit files (dmcombine limitfile import, the imports section)
    Fault("imports", "no units for a two-column table", bad_import(GOOD_TABLE, drop=("units",)),
          ("bad.units.x", "user/table.txt names no unit")),
    Fault("imports", "a mass unit that is not one", bad_import(GOOD_TABLE, units={"x": "kg", "value": "cm^2"}),
          ("unit 'kg' is not a unit of GeV", "accepted: GeV, TeV")),
    Fault("imports", "x not increasing", bad_import(b"10 1e-45\n100 1e-46\n50 1e-45\n"),
          ("user/table.txt", "data row 3", "x 50 does not increase", "strictly increasing")),
    Fault("imports", "NaN in the table", bad_import(b"10 1e-45\n100 nan\n1000 1e-45\n"),
          ("user/table.txt", "data row 2", "value is nan", "finite number")),
    Fault("imports", "a negative cross-section", bad_import(b"10 1e-45\n100 -1e-46\n1000 1e-45\n"),
          ("user/table.txt", "data row 2", "value -1e-46 is not positive")),
    Fault("imports", "no reference", bad_import(GOOD_TABLE, drop=("references",)),
          ("bad.references", "a published curve needs its paper")),
    Fault("imports", "a malformed ECSV header", bad_import(b"# %ECSV 0.9\n# ---\n# datatype: [oops\nmass sigmav\n1 2\n",
                                                          format="ecsv", units={}),
          ("user/table.txt", "malformed ECSV header")),
    Fault("imports", "a table that is not two columns", bad_import(b"10 1e-45 3\n"),
          ("user/table.txt", "line 1", "3 columns, expected 2")),
    Fault("imports", "an unknown plane", bad_import(GOOD_TABLE, plane="mediator"),
          ("user/spec.yaml", "bad.plane", "'mediator' is not one of")),
    # the XLZD detector response and the KM3NeT source direction, as configured
    Fault("config", "XLZD light collection g1 above 1", workflow_config("xlzd: {efficiency: {nest: {g1_phd_per_photon: 1.5}}}"),
          ("xlzd.efficiency.nest.g1_phd_per_photon", "1.5", "maximum of 1"), True),
    Fault("config", "empty XLZD S1 window", workflow_config("xlzd: {efficiency: {nest: {s1_window_phd: [100, 3]}}}"),
          ("xlzd.efficiency.nest.s1_window_phd", "is empty", "lower < upper"), True),
    Fault("config", "KM3NeT source declination 120°", workflow_config("km3net: {detector: {source_declination_deg: 120}}"),
          ("km3net.detector.source_declination_deg", "120", "maximum of 90"), True),
    # the ARCA230 point-source validation command (dmcombine km3net point-source)
    Fault("point source", "sin δ = 1.5", point_source(sindec="1.5"), ("--sindec", "1.5", "not in [-1, 1]")),
    Fault("point source", "sin δ not a number", point_source(sindec="nan"), ("--sindec", "nan", "not in [-1, 1]")),
    Fault("point source", "a cone of 0°", point_source(cone="0"), ("--cone-deg", "0.0", "(0, 30] degrees")),
    Fault("point source", "a cone of 45°", point_source(cone="45"), ("--cone-deg", "45.0", "(0, 30] degrees")),
    Fault("point source", "zero livetime", point_source(livetime="0"), ("--livetime-yr", "0.0", "positive livetime")),
    Fault("point source", "a truncated IRF file in --irf-dir", point_source_irf_dir(
        lambda text: b"\n".join(text.splitlines()[:-7]) + b"\n"),
        ("aeff_coszen_allnumuCC_track.csv", "a truncated table?")),
    # the models (src/dmcombine/models/) and joint exclusions
    Fault("config", "Higgs-portal masses above m_h/2", workflow_config("higgs_portal: {dm_gev: {min: 1, max: 100, points: 10}}"),
          ("higgs_portal.dm_gev.max", "100", "below m_h/2 = 62.5 GeV"), True),
    Fault("config", "an SD limit translated for a vector mediator", workflow_config(
        "spin1_mediator: {to_mediator: {vector: [results/imported/sdp_pico60/limit.json]}}"),
        ("spin1_mediator.to_mediator.vector[0]", "sd plane", "translates si limits"), True),
    Fault("config", "one benchmark name, two sets of couplings", workflow_config(
        "spin1_mediator: {benchmarks: {V2: {kind: vector, g_q: 0.25, g_l: 0.01, g_chi: 1.0}}}"),
        ("spin1_mediator.benchmarks.V2", "results/atlas_dilepton/V2/mediator_observed.json", "one name, one set of couplings"),
        True),
    Fault("limit files", "a grid likelihood combined with a profile", lambda ws: combine_with(ws, ws.user_file(
        "10yr.json", json.dumps(grid_member(json.loads(ws.root.joinpath(KM3NET_OUT).read_text()))).encode())),
        ("user/10yr.json", "field /likelihood/type", "'gaussian_signal_strength_grid'", "'profile_table'")),
]


def _marks(fault: Fault) -> list[pytest.MarkDecorator]:
    # every case starts from the default run's results: all need the workflow
    return [pytest.mark.workflow] + ([pytest.mark.rucio] if fault.rucio else [])


@pytest.mark.parametrize("fault", [pytest.param(f, id=f"{f.number:02d}-{f.case}", marks=_marks(f)) for f in FAULTS])
def test_fault(fault: Fault, workspace: Workspace, request: pytest.FixtureRequest) -> None:
    if fault.rucio:
        workspace.rucio = request.getfixturevalue("rucio_lab")[0]
    before = workspace.snapshot()
    status, output = fault.provoke(workspace)
    assert status != 0, f"case {fault.number} ({fault.case}) was not refused:\n{output[-3000:]}"
    for piece in fault.expect:
        assert piece in output, f"case {fault.number}: {piece!r} missing from:\n{output[-3000:]}"
    after = workspace.snapshot()
    assert sorted(after) == sorted(before), f"case {fault.number}: files appeared or vanished: {set(after) ^ set(before)}"
    changed = [path for path in before if after[path] != before[path]]
    assert not changed, f"case {fault.number}: earlier results changed: {changed}"


def test_the_documented_table_is_this_table() -> None:
    """docs/faults.md lists every case of FAULTS (number, category, case) and nothing else under
    'table-driven'; the scenario rows name tests that exist."""
    text = (REPO / "docs/faults.md").read_text()
    suite = "test_faults::test_fault"
    documented = [line for line in text.splitlines() if line.endswith(f"`{suite}` |")]
    assert documented == [f.row() for f in FAULTS], "regenerate: python -m tests.workflow.test_faults"
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    for r in rows:
        test = r[-1].strip().strip("`")
        if test != suite:
            module, name = test.split("::")
            [path] = (REPO / "tests").rglob(f"{module}.py")
            assert f"def {name}(" in path.read_text(), test


# --- faults that need a whole scenario ------------------------------------------------------------


def limit_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "results").rglob("limit.json")}


# The part of the DAG the execution scenarios run: the DarkSide-50 limit and the twelve Fermi-LAT
# jobs (seconds each, so a kill or a second run lands while jobs are running).
SCENARIO_FILES = ("results/darkside50/published/limit.json",
                  *(f"results/fermi_dwarfs/{s}/{c}/limit.json" for s in ("albert2017_kinematic", "albert2017_combined",
                                                                        "ackermann2015") for c in ("bb", "tautau", "ww", "mumu")))
SCENARIO_TARGETS = tuple(staged(path) for path in SCENARIO_FILES)


def scenario_files(root: Path) -> dict[str, bytes]:
    return {name: data for name, data in limit_files(root).items() if name in SCENARIO_FILES}


@pytest.mark.workflow
def test_killed_run_completes_on_rerun_without_truncated_files(default_run: Path, tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "killed")
    run = subprocess.Popen(
        [str(VENV_BIN / "snakemake"), "--workflow-profile", "profiles/local", "--cores", "2", *SCENARIO_TARGETS],
        cwd=workdir, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (workdir / "logs/fermi_dwarfs").exists():  # the heavy jobs have started
            assert run.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
            time.sleep(0.05)
        time.sleep(1.0)
        os.killpg(run.pid, signal.SIGKILL)  # no clean-up at all: like a node crash
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    for path in (workdir / "results").rglob("limit.json"):
        limitfile.read(path)  # whatever exists after the kill is complete and valid
    # A killed Snakemake leaves its lock; it says so and `--unlock` (the documented recovery) clears it.
    locked = snakemake(workdir, "--workflow-profile", "profiles/local", "--cores", "2", *SCENARIO_TARGETS)
    assert locked.returncode != 0 and "--unlock" in locked.stdout + locked.stderr
    assert snakemake(workdir, "--unlock").returncode == 0
    result = snakemake(workdir, "--workflow-profile", "profiles/local", "--cores", "2", *SCENARIO_TARGETS)
    assert result.returncode == 0, result.stderr[-3000:]
    assert limit_files(workdir) == scenario_files(default_run)
    assert not list((workdir / "results").rglob("*.part"))


@pytest.mark.workflow
def test_two_runs_in_one_directory_are_refused_by_the_lock(default_run: Path, tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "locked")
    first = subprocess.Popen(
        [str(VENV_BIN / "snakemake"), "--cores", "2", *SCENARIO_TARGETS], cwd=workdir, env=tool_env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any((workdir / ".snakemake/locks").glob("*")) if (workdir / ".snakemake/locks").exists() else True:
            assert first.poll() is None and time.monotonic() < deadline, "the first run never took the lock"
            time.sleep(0.05)
        # as scripts/run.sh runs it (profiles/local reruns incomplete jobs, so only the lock stops it)
        second = snakemake(workdir, "--workflow-profile", "profiles/local", "--cores", "1")
        output, _ = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert second.returncode != 0
    assert "Directory cannot be locked" in second.stdout + second.stderr
    assert first.returncode == 0, output[-3000:]
    assert limit_files(workdir) == scenario_files(default_run)


def test_stale_temporary_files_of_a_killed_write_are_cleared(tmp_path: Path) -> None:
    (tmp_path / ".limit.json.abc123.part").write_bytes(b'{"schema": "urn:dmcombine:sch')  # a killed write
    limitfile.write(tmp_path / "limit.json", example())
    assert [p.name for p in tmp_path.iterdir()] == ["limit.json"]


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in [(*prefix, k), *_paths(v, (*prefix, k))]]
    if isinstance(doc, list) and doc and not isinstance(doc[0], (int, float)):
        return [p for i, v in enumerate(doc) for p in _paths(v, (*prefix, i))]
    return []


VALID = limitfile.to_builtin(example())
PATHS = _paths(VALID)
# Values that no field of a limit file accepts where another type or range is required.
BAD_VALUES = [None, -1.0, "", [], {}, "urn:dmcombine:schema:limit-file:9", True, [0.0, -5.0]]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(PATHS), st.sampled_from(BAD_VALUES + ["DELETE"]))
def test_reader_rejects_mutated_files_or_they_stay_valid(path: tuple, value: object) -> None:
    """Every mutation of a valid file is either rejected with the file named, or leaves a file that
    still passes every check (e.g. an empty string where any string is allowed is still refused
    for required names, and a free-form assumption may take any value)."""
    doc = json.loads(json.dumps(VALID))
    node = doc
    for key in path[:-1]:
        node = node[key]
    original = node[path[-1]]
    if value == "DELETE":
        if isinstance(node, list):
            return
        del node[path[-1]]
    else:
        node[path[-1]] = value
    text = json.dumps(doc)
    try:
        parsed = limitfile.loads(text, source="mutated.json")
    except LimitFileError as exc:
        assert "mutated.json" in str(exc)
    else:
        # accepted only where any value of that kind is legitimate: a free-form assumption, or a
        # non-empty string in a free-text field; and then it round-trips exactly
        free_form = path[:2] == ("model", "assumptions") and len(path) > 2
        restricted = {("schema",), ("result", "kind"), ("parameter_of_interest", "name"), ("x", "name"),
                      ("model", "variant"), ("provenance", "software", "name"), ("provenance", "config_sha256")}
        structured = path[-1] in ("arxiv", "doi", "did", "md5", "adler32")
        free_text = value != "DELETE" and isinstance(value, str) and bool(value) and isinstance(original, str) and path not in restricted and not structured
        optional = value == "DELETE" and path[-1] in ("arxiv", "doi", "auxiliary_limits")
        # schema v1 allows a result computed from configured parameters alone (MADMAX): no inputs
        no_inputs = path == ("provenance", "inputs") and value == []
        assert free_form or free_text or optional or no_inputs, (path, value)
        assert limitfile.loads(limitfile.dumps(parsed)) == parsed


if __name__ == "__main__":  # print the table-driven rows of docs/faults.md
    print("\n".join(f.row() for f in FAULTS))
