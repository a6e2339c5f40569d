"""The fault and bad-input suite: one table of cases (``FAULTS``, listed in docs/faults.md), one harness.

Every case starts from a workspace that already holds results made by the workflow: the DarkSide-50
limit, the KM3NeT ττ sensitivities, the Fermi-LAT ττ limit, their combination, and every fetched
input. The case provokes its fault the way a user meets it: through the workflow (configuration
errors) or through the command the workflow's rule runs, with the rule's own arguments (everything
else). For every case the harness checks that

* the run stops with a handled error (exit status 1 or Snakemake's refusal; a traceback fails),
* the message names the file, field, DID or rule (the pieces each case lists),
* every earlier result and fetched input is byte-identical, and no new file appears under results/
  or resources/, so no partial output is left for a later run to take as valid.

Faults that need a whole scenario (a run killed mid-write, two runs at once, a Rucio server
stopped mid-run, wrong credentials...) follow the table, with the same checks; docs/faults.md lists
them too.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dmcombine import cli, fileio, limitfile
from dmcombine.catalogue import Catalogue, Checksums
from dmcombine.errors import LimitFileError

from ..conftest import REPO, VENV_BIN, copy_workflow, snakemake, tool_env
from ..services.rucio_lab import RucioLab
from ..unit.test_limitfile import example, set_field

# What the workspace holds before every case (made once per session by the workflow itself).
EARLIER_TARGETS = ("results/darkside50/published/limit.json", "results/km3net/tautau/10yr.json",
                   "results/combination/sigmav_tautau/limit.json")
DS50_ACCEPTANCE = "dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat"
DS50_SUMMARY = "dmcombine:darkside50.highmass.json"
DRACO = "dmcombine:fermi_dwarfs.like_draco.txt"
KM3NET_OUT = "results/km3net/tautau/10yr.json"
FERMI_OUT = "results/fermi_dwarfs/albert2017_kinematic/tautau/limit.json"
COMBINED_OUT = "results/combination/sigmav_tautau/limit.json"


def fetched(did: str) -> str:
    scope, name = did.split(":")
    return f"resources/inputs/{scope}/{name}"


@pytest.fixture(scope="session")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    """A workflow directory with earlier results, and each rule's command as the workflow ran it."""
    root = copy_workflow(tmp_path_factory.mktemp("earlier"))
    result = snakemake(root, "--cores", "2", "--printshellcmds", *EARLIER_TARGETS)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    commands, rule = {}, None
    for line in (result.stdout + result.stderr).splitlines():  # Snakemake 9 logs to stderr
        if line.startswith(("rule ", "localrule ")):
            rule = line.split()[1].rstrip(":")
        elif line.startswith("Shell command: dmcombine ") and rule:
            commands[rule] = shlex.split(line.removeprefix("Shell command: dmcombine "))
    assert {"fetch_inputs", "darkside50_limit", "fermi_dwarfs_limit", "km3net_sensitivity", "combine"} <= set(commands)
    return root, commands


@dataclass
class Workspace:
    root: Path
    commands: dict[str, list[str]]
    rucio: RucioLab | None = None  # the session's Rucio server, for the data-lake cases

    def snapshot(self) -> dict[str, bytes]:
        """Every file under results/ and resources/, by path."""
        return {p.relative_to(self.root).as_posix(): p.read_bytes()
                for top in ("results", "resources") for p in (self.root / top).rglob("*") if p.is_file()}

    def register_own(self, did: str, content: bytes) -> str:
        """A user's own version of an input: registered with its checksums in a copy of the catalogue
        (user/inputs.yaml) and materialised where a rule reads it (user/<scope>/<name>). Returns that path."""
        scope, name = did.split(":")
        path = self.user_file(f"{scope}/{name}", content)
        doc = yaml.safe_load((self.root / "config/inputs.yaml").read_text())
        sums = Checksums.of_file(self.root / path)
        for entry in doc["inputs"]:
            if entry["did"] == did:
                entry.update(path=path, bytes=sums.bytes, adler32=sums.adler32, md5=sums.md5)
        self.user_file("inputs.yaml", yaml.safe_dump(doc, sort_keys=False).encode())
        return path

    def input_bytes(self, did: str) -> bytes:
        return (self.root / fetched(did)).read_bytes()

    def user_file(self, name: str, content: bytes) -> str:
        path = self.root / "user" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"user/{name}"

    def replace_shipped(self, did: str, content: bytes) -> None:
        entry = Catalogue.load(self.root / "config/inputs.yaml")[did]
        (self.root / entry.path).unlink()  # a hard link to the earlier workspace's copy
        (self.root / entry.path).write_bytes(content)

    def dmcombine(self, rule: str, swap: dict[str, str] | None = None, options: dict[str, str] | None = None,
                  config: Callable[[dict], None] | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
        """Run the rule's command with some path arguments swapped, some options set or its
        --config-json edited; in-process, or as a process with ``env`` added to its environment.
        Returns (exit status, everything it printed)."""
        argv = [(swap or {}).get(a, a) for a in self.commands[rule]]
        for option, value in (options or {}).items():
            argv[argv.index(option) + 1] = value
        if config:
            i = argv.index("--config-json") + 1
            cfg = json.loads(argv[i])
            config(cfg)
            argv[i] = json.dumps(cfg)
        if env is not None:
            return self.process(argv, env)
        with contextlib.chdir(self.root):
            result = CliRunner().invoke(cli.main, argv, catch_exceptions=True)
        for handler in list(logging.getLogger("dmcombine").handlers):
            handler.close()
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"unhandled {type(result.exception).__name__}: {result.exception}") from result.exception
        return result.exit_code, result.output

    def process(self, argv: list[str], env: dict[str, str]) -> tuple[int, str]:
        """``dmcombine ARGV`` as its own process with ``env`` added; a traceback fails the case."""
        done = subprocess.run([str(VENV_BIN / "dmcombine"), *argv], cwd=self.root, env={**tool_env(), **env},
                              capture_output=True, text=True, timeout=300, check=False)
        assert "Traceback" not in done.stderr, done.stderr[-3000:]
        return done.returncode, done.stdout + done.stderr

    def combine_with(self, member: str) -> tuple[int, str]:
        """The combination rule, with the KM3NeT member replaced by ``member``."""
        return self.dmcombine("combine", {KM3NET_OUT: member})

    def workflow(self, override: str) -> tuple[int, str]:
        (self.root / "bad.yaml").write_text(override + "\n")
        result = snakemake(self.root, "--cores", "1", "--configfile", "bad.yaml")
        return result.returncode, result.stdout + result.stderr


@pytest.fixture
def workspace(earlier: tuple[Path, dict[str, list[str]]], tmp_path: Path) -> Workspace:
    root, commands = earlier
    # hard links: fast, and safe because every writer replaces files atomically (a new inode)
    shutil.copytree(root, tmp_path / "ws", symlinks=True, copy_function=os.link)
    return Workspace(tmp_path / "ws", commands)


# --- the cases ------------------------------------------------------------------------------------


def mutated_member(path: str, value: object) -> Callable[[Workspace], tuple[int, str]]:
    """The KM3NeT limit file, with one field changed, handed to the combination."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        doc = json.loads(ws.root.joinpath(KM3NET_OUT).read_text())
        return ws.combine_with(ws.user_file("10yr.json", json.dumps(set_field(doc, path, value)).encode()))
    return provoke


def member_text(change: Callable[[str], str]) -> Callable[[Workspace], tuple[int, str]]:
    def provoke(ws: Workspace) -> tuple[int, str]:
        return ws.combine_with(ws.user_file("10yr.json", change(ws.root.joinpath(KM3NET_OUT).read_text()).encode()))
    return provoke


def own_input(rule: str, did: str, content: Callable[[Workspace], bytes]) -> Callable[[Workspace], tuple[int, str]]:
    """A user's own version of an input, registered with correct checksums but malformed; the
    rule runs on it."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        path = ws.register_own(did, content(ws))
        return ws.dmcombine(rule, {fetched(did): path}, {"--catalogue": "user/inputs.yaml"})
    return provoke


def own_acceptance(content: bytes) -> Callable[[Workspace], tuple[int, str]]:
    return own_input("darkside50_limit", DS50_ACCEPTANCE, lambda ws: content)


def own_likelihood(change: Callable[[str], str]) -> Callable[[Workspace], tuple[int, str]]:
    return own_input("fermi_dwarfs_limit", DRACO, lambda ws: change(ws.input_bytes(DRACO).decode()).encode())


def own_km3net_input(did: str, content: Callable[[Workspace], bytes]) -> Callable[[Workspace], tuple[int, str]]:
    return own_input("km3net_sensitivity", did, content)


def _summary_without_total(ws: Workspace) -> bytes:
    doc = json.loads(ws.input_bytes(DS50_SUMMARY))
    del doc["event_yields"]["total"]
    return json.dumps(doc).encode()


def workflow_config(override: str) -> Callable[[Workspace], tuple[int, str]]:
    return lambda ws: ws.workflow(override)


def tampered_shipped(change: Callable[[bytes], bytes], did: str = DS50_ACCEPTANCE) -> Callable[[Workspace], tuple[int, str]]:
    """A shipped copy changed after it was catalogued; the fetch rule runs again."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        ws.replace_shipped(did, change(ws.input_bytes(did)))
        return ws.dmcombine("fetch_inputs")
    return provoke


def stale_copy(ws: Workspace) -> tuple[int, str]:
    """A materialised copy edited after the fetch (not re-registered): the consumer re-checks it."""
    path = ws.user_file(f"dmcombine/{DS50_SUMMARY.split(':')[1]}", ws.input_bytes(DS50_SUMMARY) + b" ")
    return ws.dmcombine("darkside50_limit", {fetched(DS50_SUMMARY): path})


def catalogue_without_md5(ws: Workspace) -> tuple[int, str]:
    doc = yaml.safe_load((ws.root / "config/inputs.yaml").read_text())
    index = next(i for i, e in enumerate(doc["inputs"]) if e["did"] == DS50_ACCEPTANCE)
    del doc["inputs"][index]["md5"]
    ws.user_file("inputs.yaml", yaml.safe_dump(doc, sort_keys=False).encode())
    return ws.dmcombine("darkside50_limit", options={"--catalogue": "user/inputs.yaml"})


def rucio_server_down(ws: Workspace) -> tuple[int, str]:
    """Rucio mode with nothing listening at the configured server (a lab that was never started)."""
    down = RucioLab(ws.root / "user/rucio")
    return ws.dmcombine("fetch_inputs", options={"--source": "rucio", "--attempts": "2"}, env=down.env())


DID_NEVER_UPLOADED = "dmcombine:darkside50.never_uploaded.json"


def from_the_lake(dids: tuple[str, ...] = (DS50_SUMMARY, DS50_ACCEPTANCE), catalogue: Callable[[str], str] = lambda text: text,
                  password: str | None = None, corrupt: str | None = None) -> Callable[[Workspace], tuple[int, str]]:
    """Fetch DIDs from the real Rucio server to where earlier copies were fetched, with the
    catalogue edited, a wrong password, or the replica of DID ``corrupt`` damaged on the RSE."""
    def provoke(ws: Workspace) -> tuple[int, str]:
        lab = ws.rucio
        cat = ws.user_file("inputs.yaml", catalogue((ws.root / "config/inputs.yaml").read_text()).encode())
        config = lab.client_config(password=password, name="wrong.cfg") if password else None
        outputs = [fetched(did) for did in dids]
        replica, original = None, b""
        if corrupt:
            entry = Catalogue.load(ws.root / "config/inputs.yaml")[corrupt]
            [replica] = [p for p in lab.rse_dir.rglob(entry.name) if p.is_file()]
            original = replica.read_bytes()
            replica.write_bytes(original.replace(b"e-01", b"e-02", 1))
        try:
            status, output = ws.process(["fetch", "--source", "rucio", "--attempts", "2", "--catalogue", cat, *outputs],
                                        lab.env(config))
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
        return ws.dmcombine("darkside50_limit", config=lambda c: c.update(confidence_level=0.95))
    finally:
        fileio.os.fsync = real


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


FAULTS = [
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
    Fault("inputs", "stale materialised copy", stale_copy, (DS50_SUMMARY, "darkside50.highmass.json")),
    Fault("inputs", "catalogue entry without md5", catalogue_without_md5, ("user/inputs.yaml", DS50_ACCEPTANCE, "md5")),
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
    Fault("inputs", "JSON summary with a missing field", own_input("darkside50_limit", DS50_SUMMARY, _summary_without_total),
          ("darkside50.highmass.json", "expected fields")),
    Fault("inputs", "Fermi likelihood with a missing bin", own_likelihood(lambda t: "\n".join(t.splitlines()[:-25]) + "\n"),
          ("like_draco.txt", "575 rows, expected 24 energy bins × 25 fluxes")),
    Fault("inputs", "NaN in a likelihood", own_likelihood(lambda t: t.replace("-0.382680352", "nan", 1)),
          ("like_draco.txt", "data row 2 holds NaN")),
    Fault("inputs", "bad column in a likelihood", own_likelihood(lambda t: t.replace("-0.382680352", "-0.38 7", 1)),
          ("like_draco.txt", "expected four numeric columns")),
    Fault("inputs", "empty likelihood", own_likelihood(lambda t: ""), ("like_draco.txt", "expected four numeric columns")),
    Fault("inputs", "truncated FITS (PSF)", own_km3net_input(
        "dmcombine:km3net_irf.psf.fits", lambda ws: ws.input_bytes("dmcombine:km3net_irf.psf.fits")[:5000]),
        ("km3net_irf.psf.fits", "not a readable GADF FITS file")),
    Fault("inputs", "truncated FITS (effective area)", own_km3net_input(
        "dmcombine:km3net_irf.aeff.fits", lambda ws: ws.input_bytes("dmcombine:km3net_irf.aeff.fits")[:2880]),
        ("km3net_irf.aeff.fits",)),
    Fault("inputs", "truncated FITS (background)", own_km3net_input(
        "dmcombine:km3net_irf.bkg_nu.fits", lambda ws: ws.input_bytes("dmcombine:km3net_irf.bkg_nu.fits")[:100]),
        ("km3net_irf.bkg_nu.fits",)),
    Fault("inputs", "FITS swapped for another IRF", own_km3net_input(
        "dmcombine:km3net_irf.aeff.fits", lambda ws: ws.input_bytes("dmcombine:km3net_irf.psf.fits")),
        ("km3net_irf.aeff.fits", "no FITS extension 'EFFECTIVE AREA'")),
    Fault("inputs", "CosmiXs file swapped for a PPPC table", own_km3net_input(
        "dmcombine:spectra.cosmixs_atproduction_numu.dat",
        lambda ws: ws.input_bytes("dmcombine:spectra.pppc4dmid_atproduction_gammas.dat")),
        ("spectra.cosmixs_atproduction_numu.dat", "expected a CosmiXs header")),
    # physics: configurations that have no meaning
    Fault("physics", "dwarf without a J-factor", lambda ws: ws.dmcombine(
        "fermi_dwarfs_limit", config=lambda c: c["dwarf_sets"]["albert2017_kinematic"]["dwarfs"].append("tucana_II")),
        ("tucana_II", "J-factor")),
    Fault("physics", "the Galactic Centre never below the horizon", lambda ws: ws.dmcombine(
        "km3net_sensitivity", config=lambda c: c["detector"].update(latitude_deg=-70.0)), ("never reaches zenith 90",)),
    # limit files handed to the combination
    Fault("limit files", "schema version from the future", mutated_member("schema", "urn:dmcombine:schema:limit-file:2"),
          ("user/10yr.json", "limit-file version 2; this dmcombine reads version 1")),
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
    Fault("limit files", "missing file", lambda ws: ws.combine_with("user/none.json"), ("user/none.json", "no such limit file")),
    # combination: files that do not constrain the same thing
    Fault("combination", "units that do not match", mutated_member("parameter_of_interest/unit", "cm^3 s^-1"),
          ("user/10yr.json", FERMI_OUT, "different unit of the parameter of interest")),
    Fault("combination", "observed vs expected", mutated_member("result/kind", "expected"),
          ("user/10yr.json", FERMI_OUT, "different result kind")),
    Fault("combination", "other channel", mutated_member("model/assumptions/channel", "bb"),
          ("user/10yr.json", FERMI_OUT, "different assumption 'channel'")),
    Fault("combination", "other unit of x", mutated_member("x/unit", "TeV"), ("user/10yr.json", "different unit of x")),
    Fault("combination", "no overlap in x", mutated_member("limit/x", lambda v: [x * 1e6 for x in v]), ("the x ranges do not overlap",)),
    Fault("combination", "same experiment twice", lambda ws: ws.combine_with(FERMI_OUT), ("built on the same data",)),
    # data lake and execution
    Fault("data lake", "Rucio server down", rucio_server_down, ("did not answer after 2 attempts",)),
    Fault("data lake", "missing DID", from_the_lake((DID_NEVER_UPLOADED, DS50_ACCEPTANCE), lambda text: text.replace(
        f"did: {DS50_SUMMARY}", f"did: {DID_NEVER_UPLOADED}", 1)), (f"DID {DID_NEVER_UPLOADED} does not exist on",), rucio=True),
    Fault("data lake", "corrupted replica", from_the_lake(corrupt=DS50_ACCEPTANCE),
          (DS50_ACCEPTANCE, "adler32", "md5", "replica downloaded from"), rucio=True),
    Fault("data lake", "wrong credentials", from_the_lake(password="not-the-password-7d2a"), ("CannotAuthenticate",), rucio=True),
    Fault("execution", "disk full while rewriting a result", disk_full,
          ("results/darkside50/published/limit.json", "No space left on device", "the previous file")),
]


def _marks(fault: Fault) -> list[pytest.MarkDecorator]:
    return [mark for mark, wanted in ((pytest.mark.workflow, fault.workflow), (pytest.mark.rucio, fault.rucio)) if wanted]


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
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    suite = "test_faults::test_fault"
    table = {int(r[0]): (r[1].strip(), r[2].strip().replace("`", "")) for r in rows if r[-1].strip().strip("`") == suite}
    assert table == {f.number: (f.category, f.case) for f in FAULTS}
    for r in rows:
        test = r[-1].strip().strip("`")
        if test != suite:
            module, name = test.split("::")
            assert f"def {name}(" in (REPO / "tests" / f"{module}.py").read_text(), test


# --- faults that need a whole scenario ------------------------------------------------------------


def limit_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "results").rglob("limit.json")}


# The part of the DAG the execution scenarios run: the DarkSide-50 limit and the twelve Fermi-LAT
# jobs (seconds each, so a kill or a second run lands while jobs are running).
SCENARIO_TARGETS = ("results/darkside50/published/limit.json",
                    *(f"results/fermi_dwarfs/{s}/{c}/limit.json" for s in ("albert2017_kinematic", "albert2017_combined",
                                                                          "ackermann2015") for c in ("bb", "tautau", "ww", "mumu")))


def scenario_files(root: Path) -> dict[str, bytes]:
    return {name: data for name, data in limit_files(root).items() if name in SCENARIO_TARGETS}


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


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:  # noqa: ANN001
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
