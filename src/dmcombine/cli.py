"""Command-line interface: every workflow rule calls one of these commands through ``shell:``.

Errors the user can fix (:class:`dmcombine.errors.DmcombineError`) are printed as one line naming
the file, field or DID, and the command exits with status 1 without writing its output.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from dmcombine import __version__
from dmcombine.errors import ConfigError, DmcombineError

log = logging.getLogger("dmcombine")


class _Group(click.Group):
    """Turns :class:`DmcombineError` into a clear one-line message and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DmcombineError as exc:
            log.error("%s", exc)
            click.echo(f"dmcombine: error: {exc}", err=True)
            sys.exit(1)


def _setup_logging(log_file: str | None) -> None:
    log.setLevel(logging.INFO)
    log.handlers.clear()
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(log_file, mode="w", encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.addHandler(handler)


def _json_option(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{what} must be a JSON object")
    return value


@click.group(cls=_Group)
@click.version_option(__version__, prog_name="dmcombine")
@click.option("--log", "log_file", type=click.Path(dir_okay=False), help="Write the log to this file.")
def main(log_file: str | None) -> None:
    """Reproduce published dark-matter results as standard limit files, and combine them."""
    _setup_logging(log_file)


# --- inputs ---------------------------------------------------------------------------------


@main.command()
@click.argument("outputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--source", type=click.Choice(["embedded", "rucio"]), default="embedded", show_default=True)
@click.option("--shipped", default="", help="embedded: the shipped copies (space-separated); default: catalogue paths.")
@click.option("--attempts", default=3, show_default=True, type=click.IntRange(1, 20), help="rucio: tries when the server is unreachable.")
def fetch(outputs: tuple[str, ...], catalogue: str, source: str, shipped: str, attempts: int) -> None:
    """Materialise inputs at OUTPUTS (<dir>/<scope>/<name>, one per DID), verifying size, adler32, md5.

    embedded: copy the files shipped in the repository; rucio: download the DIDs from the Rucio
    server of the standard client configuration (RUCIO_CONFIG / rucio.cfg).
    """
    from dmcombine.catalogue import Catalogue, fetch_embedded

    cat = Catalogue.load(catalogue)
    entries = [cat[f"{Path(p).parent.name}:{Path(p).name}"] for p in outputs]
    if source == "rucio":
        from dmcombine import datalake

        datalake.fetch(entries, list(outputs), attempts=attempts)
    else:
        listed = set(shipped.split())
        for entry, output in zip(entries, outputs, strict=True):
            if listed and entry.path not in listed:
                raise ConfigError(f"input {entry.did}: its shipped copy {entry.path} was not declared to this job")
            fetch_embedded(entry, entry.path, output)
    for entry, output in zip(entries, outputs, strict=True):
        log.info(
            "fetched %s from %s (%s bytes, adler32 %s, md5 %s) -> %s", entry.did,
            "Rucio" if source == "rucio" else entry.path, entry.checksums.bytes, entry.checksums.adler32,
            entry.checksums.md5, output,
        )


@main.group("catalogue")
def catalogue_group() -> None:
    """Inspect and check the inputs catalogue."""


@catalogue_group.command("verify")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
def catalogue_verify(catalogue: str) -> None:
    """Check every shipped input against its catalogued size and checksums."""
    from dmcombine.catalogue import Catalogue, verify

    cat = Catalogue.load(catalogue)
    for entry in cat:
        try:
            data = Path(entry.path).read_bytes()
        except FileNotFoundError:
            raise ConfigError(f"input {entry.did}: shipped copy {entry.path} is missing") from None
        verify(entry, data, entry.path)
    click.echo(f"{len(cat)} inputs match {catalogue}")


@catalogue_group.command("entry")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--did", required=True, help="scope:name under which the file is registered")
def catalogue_entry(path: str, did: str) -> None:
    """Print a catalogue entry (size and checksums) for a new input file, to paste and complete."""
    from dmcombine.catalogue import DID_PATTERN, Checksums

    if not DID_PATTERN.match(did):
        raise ConfigError(f"--did {did!r} is not a Rucio DID 'scope:name'")
    c = Checksums.of_file(path)
    click.echo(
        f"  - did: {did}\n    path: {path}\n    bytes: {c.bytes}\n    adler32: \"{c.adler32}\"\n"
        f"    md5: \"{c.md5}\"\n    description: \"\"\n    origin: \"\"\n    paper: \"\"\n    licence: \"\""
    )


@main.group("rucio")
def rucio_group() -> None:
    """Seed a Rucio data lake with the inputs, and publish results to it.

    The server and credentials come from the standard Rucio client configuration
    (RUCIO_CONFIG or rucio.cfg).
    """


@rucio_group.command("register")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--rse", required=True, help="The RSE to upload to.")
@click.option("--dataset", default="dmcombine:dmcombine.inputs", show_default=True, help="scope:name to attach the inputs to.")
def rucio_register(catalogue: str, rse: str, dataset: str) -> None:
    """Upload every shipped input under its catalogue DID (idempotent)."""
    from dmcombine import datalake
    from dmcombine.catalogue import DID_PATTERN, Catalogue

    if not DID_PATTERN.match(dataset):
        raise ConfigError(f"--dataset {dataset!r} is not a Rucio DID 'scope:name'")
    report = datalake.register(Catalogue.load(catalogue), rse, dataset)
    click.echo(report.summary(rse, dataset))


@rucio_group.command("publish")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--rse", required=True, help="The RSE to upload to.")
@click.option("--dataset", required=True, help="scope:name of the dataset that collects the results.")
@click.option("--receipt", required=True, type=click.Path(dir_okay=False), help="JSON record of what was published.")
def rucio_publish(files: tuple[str, ...], rse: str, dataset: str, receipt: str) -> None:
    """Upload result FILES (limit files, plots) with their checksums; write a receipt."""
    from dmcombine import datalake
    from dmcombine.catalogue import DID_PATTERN
    from dmcombine.fileio import atomic_write_text

    if not DID_PATTERN.match(dataset):
        raise ConfigError(f"--dataset {dataset!r} is not a Rucio DID 'scope:name'")
    records = datalake.publish(list(files), rse, dataset)
    atomic_write_text(receipt, json.dumps({"rse": rse, "dataset": dataset, "files": records}, indent=2) + "\n")
    for record in records:
        log.info("%s -> %s (adler32 %s)%s", record["file"], record["did"], record["adler32"], "" if record["new"] else " already there")
    click.echo(f"published {len(records)} file(s) to {dataset} on {rse}")


# --- limit files ----------------------------------------------------------------------------


@main.group("limitfile")
def limitfile_group() -> None:
    """Validate and inspect standard limit files."""


@limitfile_group.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def limitfile_validate(files: tuple[str, ...]) -> None:
    """Check FILES against the standard limit-file schema (version 1)."""
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


# --- experiments ----------------------------------------------------------------------------


@main.group()
def darkside50() -> None:
    """DarkSide-50 532-day high-mass WIMP search (arXiv:1802.07198)."""


@darkside50.command("limit")
@click.option("--config-json", required=True, help="The resolved darkside50 config block of one variant (JSON).")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--summary", required=True, type=click.Path(dir_okay=False), help="Fetched summary input.")
@click.option("--acceptance", required=True, type=click.Path(dir_okay=False), help="Fetched acceptance input.")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="Limit file to write.")
@click.option("--rule", default="dmcombine darkside50 limit", show_default=True, help="Recorded in the provenance.")
def darkside50_limit(config_json: str, catalogue: str, summary: str, acceptance: str, output: str, rule: str) -> None:
    """Compute the 90% CL SI limit and write the standard limit file."""
    from dmcombine import limitfile
    from dmcombine.catalogue import Catalogue, open_verified
    from dmcombine.experiments import darkside50 as ds50
    from dmcombine.provenance import provenance_record

    cfg = _json_option(config_json, "--config-json")
    cat = Catalogue.load(catalogue)
    entries = {key: cat[cfg["inputs"][key]] for key in ("summary", "acceptance")}
    summary_data = ds50.read_summary(open_verified(entries["summary"], summary), summary)
    acc = ds50.read_acceptance(open_verified(entries["acceptance"], acceptance), acceptance)
    result = ds50.compute(cfg, summary_data, acc)
    prov = provenance_record([e.provenance() for e in entries.values()], cfg, rule)
    limitfile.write(output, ds50.limit_document(cfg, result, prov))
    for m, s in zip(result["mass_gev"], result["sigma_cm2"], strict=True):
        if s == float("inf"):
            log.warning("m = %.4g GeV: no recoil inside the acceptance window, no limit", m)
        else:
            log.info("m = %.4g GeV: sigma_SI < %.4g cm^2", m, s)
    log.info("wrote %s", output)


@main.group("fermi-dwarfs")
def fermi_dwarfs_group() -> None:
    """Fermi-LAT dwarf spheroidal galaxies (arXiv:1503.02641, arXiv:1611.03184)."""


class _FetchedInputs:
    """The fetched inputs given to one command, by DID (they are named resources/inputs/<scope>/<name>):
    each read is checked against the catalogue and recorded, in order, for the provenance."""

    def __init__(self, paths: tuple[str, ...], catalogue: str) -> None:
        from dmcombine.catalogue import Catalogue

        self.catalogue = Catalogue.load(catalogue)
        self.paths = {f"{Path(p).parent.name}:{Path(p).name}": p for p in paths}
        self.records: list[dict[str, Any]] = []

    def read(self, did: str, where: str) -> tuple[bytes, str]:
        """(verified bytes, path) of input ``did``, which the config key ``where`` names."""
        from dmcombine.catalogue import open_verified

        if did not in self.paths:
            raise ConfigError(f"{where}: input {did} was not given on the command line "
                              "(expected resources/inputs/<scope>/<name>)")
        entry = self.catalogue[did]
        self.records.append(entry.provenance())
        return open_verified(entry, self.paths[did]), self.paths[did]


@fermi_dwarfs_group.command("limit")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--config-json", required=True, help="The resolved config of one (dwarf set, channel) job (JSON).")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="Limit file to write.")
@click.option("--rule", default="dmcombine fermi-dwarfs limit", show_default=True, help="Recorded in the provenance.")
def fermi_dwarfs_limit(inputs: tuple[str, ...], config_json: str, catalogue: str, output: str, rule: str) -> None:
    """Joint-likelihood 95% CL limit on <sigma v> of one dwarf set and channel.

    INPUTS are the fetched files (resources/inputs/<scope>/<name>): the spectra, the J-factor
    tables and the likelihood of every dwarf of the set.
    """
    from dmcombine import limitfile
    from dmcombine.experiments import fermi_dwarfs as fd
    from dmcombine.indirect.jfactors import read_albert2017_table, read_dmsky
    from dmcombine.indirect.spectra import read_pppc
    from dmcombine.provenance import provenance_record

    cfg = _json_option(config_json, "--config-json")
    fetched = _FetchedInputs(inputs, catalogue)
    dwarf_set = cfg["dwarf_set"]
    set_cfg = cfg["dwarf_sets"][dwarf_set]
    where = f"fermi_dwarfs.dwarf_sets.{dwarf_set}"
    spectra = read_pppc(*fetched.read(cfg["inputs"]["spectra"], "fermi_dwarfs.inputs.spectra"))
    tables = []
    for name in set_cfg["jfactors"]:
        table_cfg = cfg["jfactor_tables"][name]
        data, source = fetched.read(table_cfg["did"], f"fermi_dwarfs.jfactor_tables.{name}.did")
        table = read_albert2017_table(data, source) if table_cfg["format"] == "albert2017_table" else read_dmsky(
            data, source, table_cfg["key"]
        )
        tables.append((name, table))
    dwarfs = fd.jfactors_for(set_cfg["dwarfs"], tables, where)
    likelihoods = {}
    for dwarf in set_cfg["dwarfs"]:
        did = cfg["inputs"]["likelihood"].replace("{dwarf}", dwarf)
        likelihoods[dwarf] = fd.read_likelihood(*fetched.read(did, "fermi_dwarfs.inputs.likelihood"), dwarf)
    result = fd.compute(cfg, cfg["channel"], dwarfs, likelihoods, spectra)
    prov = provenance_record(fetched.records, cfg, rule)
    limitfile.write(output, fd.limit_document(cfg, dwarf_set, cfg["channel"], dwarfs, result, prov))
    for m, sv in zip(result["mass_gev"], result["sigmav_cm3_s"], strict=True):
        log.info("m = %.4g GeV: <sigma v> < %.4g cm^3/s (%s, %s)", m, sv, cfg["channel"], dwarf_set)
    log.info("wrote %s", output)


# --- combination and publication ---------------------------------------------------------


@main.group("xlzd")
def xlzd_group() -> None:
    """XLZD projected WIMP sensitivity (design book, arXiv:2410.17137)."""


@xlzd_group.command("sensitivity")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--config-json", required=True, help="The resolved config of one (variant, exposure) job (JSON).")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--kind", type=click.Choice(["projected", "discovery"]), required=True,
              help="projected: median exclusion; discovery: median discovery reach.")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="Limit file to write.")
@click.option("--rule", default="dmcombine xlzd sensitivity", show_default=True, help="Recorded in the provenance.")
def xlzd_sensitivity(inputs: tuple[str, ...], config_json: str, catalogue: str, kind: str, output: str, rule: str) -> None:
    """Median 90% CL exclusion or 3 sigma discovery reach on sigma_SI.

    INPUTS are the fetched neutrino spectra (resources/inputs/<scope>/<name>).
    """
    import numpy as np

    from dmcombine import limitfile
    from dmcombine.direct_detection.neutrinos import read_spectrum
    from dmcombine.experiments import xlzd
    from dmcombine.provenance import provenance_record

    cfg = _json_option(config_json, "--config-json")
    fetched = _FetchedInputs(inputs, catalogue)
    sources = {}
    for name, spec in sorted(cfg["neutrinos"].items()):
        data, path = fetched.read(spec["did"], f"xlzd.neutrinos.{name}")
        sources[name] = read_spectrum(data, path, name, spec["flux_cm2_s"])
    result = xlzd.compute(cfg, sources, kinds=(kind,))
    doc = xlzd.limit_document(cfg, result, provenance_record(fetched.records, cfg, rule), kind)
    limitfile.write(output, doc)
    for name, events in doc["model"]["assumptions"]["expected_background_events"].items():
        log.info("background %s: %.3g events", name, events)
    for m in (40.0, 100.0, 1000.0):
        log.info("m = %g GeV: %s %.3g cm^2", m, kind, np.interp(m, doc["limit"]["x"], doc["limit"]["value"]))
    log.info("wrote %s", output)


@main.group("km3net")
def km3net_group() -> None:
    """KM3NeT/ARCA Galactic Centre sensitivity from the public IRFs."""


@km3net_group.command("sensitivity")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--config-json", required=True, help="The km3net config block plus 'channel' (JSON).")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--outputs", required=True,
              help="Limit files to write, space-separated, one per livetime, each named <livetime>yr.json.")
@click.option("--rule", default="dmcombine km3net sensitivity", show_default=True, help="Recorded in the provenance.")
def km3net_sensitivity(inputs: tuple[str, ...], config_json: str, catalogue: str, outputs: str, rule: str) -> None:
    """Feldman-Cousins sensitivity on <sigma v> of one channel, one file per livetime.

    INPUTS are the fetched IRFs and CosmiXs spectra (resources/inputs/<scope>/<name>).
    """
    import numpy as np

    from dmcombine import limitfile
    from dmcombine.experiments import km3net
    from dmcombine.indirect import irf
    from dmcombine.indirect.spectra import read_cosmixs
    from dmcombine.provenance import provenance_record

    cfg = _json_option(config_json, "--config-json")
    channel = cfg["channel"]
    by_years = {}
    for path in outputs.split():
        label = Path(path).name.removesuffix("yr.json")
        matches = [y for y in cfg["livetimes_yr"] if f"{y:g}" == label]
        if not matches:
            raise ConfigError(f"--outputs: {path} is not named <livetime>yr.json for a livetime of {cfg['livetimes_yr']}")
        by_years[matches[0]] = path
    missing = [y for y in cfg["livetimes_yr"] if y not in by_years]
    if missing:
        raise ConfigError(f"--outputs: no file for livetimes {missing} yr")
    fetched = _FetchedInputs(inputs, catalogue)

    def read(key: str) -> tuple[bytes, str]:
        return fetched.read(cfg["inputs"][key], f"km3net.inputs.{key}")

    irfs = km3net.Irfs(irf.read_aeff(*read("aeff")), irf.read_psf(*read("psf")), irf.read_edisp(*read("edisp")),
                       irf.read_background(*read("bkg_nu")), irf.read_background(*read("bkg_mu")))
    spectra = {flavour: read_cosmixs(*read(f"spectra_nu{key}"))
               for flavour, key in (("e", "e"), ("mu", "mu"), ("tau", "tau"))}
    result = km3net.compute(cfg, irfs, spectra, channel)
    provenance = provenance_record(fetched.records, cfg, rule)
    for years, path in sorted(by_years.items()):
        limitfile.write(path, km3net.limit_document(cfg, channel, years, result, provenance))
        rows = result["per_livetime"][years]
        for target in (1000.0, 10000.0):
            i = int(np.argmin(np.abs(np.log(result["mass_gev"] / target))))
            log.info("%s, %g yr, m = %.4g GeV: <sigma v> < %.3g cm^3/s (ROI %.2g deg, b = %.3g)", channel, years,
                     result["mass_gev"][i], rows[i]["limit"], rows[i]["roi_deg"], rows[i]["background"])
        log.info("wrote %s", path)


@main.group("atlas-dilepton")
def atlas_group() -> None:
    """ATLAS 139 fb^-1 dilepton search reinterpreted for spin-1 mediators (arXiv:1903.06248)."""


@atlas_group.command("limits")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--config-json", required=True, help="The resolved config of one benchmark (JSON).")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--mediator-observed", required=True, type=click.Path(dir_okay=False))
@click.option("--mediator-expected", required=True, type=click.Path(dir_okay=False))
@click.option("--dd-observed", required=True, type=click.Path(dir_okay=False))
@click.option("--root", "root_path", required=True, type=click.Path(dir_okay=False))
@click.option("--rule", default="dmcombine atlas-dilepton limits", show_default=True, help="Recorded in the provenance.")
def atlas_limits(inputs: tuple[str, ...], config_json: str, catalogue: str, mediator_observed: str,
                 mediator_expected: str, dd_observed: str, root_path: str, rule: str) -> None:
    """Excluded (M_med, m_chi) region, its sigma_SI/SD translation and a ROOT file of one benchmark.

    INPUTS are the fetched limit tables and parton luminosities (resources/inputs/<scope>/<name>).
    """
    import numpy as np

    from dmcombine import limitfile
    from dmcombine.experiments import atlas_dilepton as ad
    from dmcombine.provenance import provenance_record

    cfg = _json_option(config_json, "--config-json")
    fetched = _FetchedInputs(inputs, catalogue)
    ch = cfg["channel"]
    short = "ee" if ch == "ee" else "mm"
    keys = [f"{ch}_observed", f"{ch}_expected", "t_mll", f"t_{short}_u", f"t_{short}_d"]
    data = {key: fetched.read(cfg["inputs"][key], f"atlas_dilepton.inputs.{key}") for key in keys}
    mll = ad.read_column(*data["t_mll"], 1)
    t_u = ad.read_column(*data[f"t_{short}_u"], 1)
    t_d = ad.read_column(*data[f"t_{short}_d"], 1)
    if not (len(mll) == len(t_u) == len(t_d)):
        raise ConfigError(f"the parton-luminosity tables have {len(mll)}, {len(t_u)} and {len(t_d)} rows; expected equal")
    lumis = [ad.Luminosities(mll, t_u, t_d)]
    results = {}
    for kind in ("observed", "expected"):
        key = f"{ch}_{kind}"
        table = ad.read_limit_csv(*data[key])
        results[kind] = ad.scan(cfg["benchmark"], cfg["grid"], table, lumis, cfg["k_factor"])
    docs = ad.limit_documents(cfg["name"], cfg["benchmark"], cfg, results, provenance_record(fetched.records, cfg, rule))
    targets = {"mediator_observed": mediator_observed, "mediator_expected": mediator_expected, "dd_observed": dd_observed}
    for stem, doc in docs.items():
        limitfile.write(targets[stem], doc)
    ad.write_root(root_path, cfg["name"], results, docs)
    for kind in ("observed", "expected"):
        hi = np.asarray(docs[f"mediator_{kind}"]["limit"]["value"], dtype=float)
        log.info("%s: largest excluded mediator mass %.0f GeV (%s)", cfg["name"], hi.max() if hi.size else float("nan"), kind)
    log.info("wrote %s, %s, %s and %s", mediator_observed, mediator_expected, dd_observed, root_path)


@main.group("madmax")
def madmax_group() -> None:
    """MADMAX dielectric haloscope (arXiv:2409.11777 prototype, arXiv:1901.07401 full scale)."""


@madmax_group.command("limit")
@click.option("--config-json", required=True, help="The resolved config of one setup (JSON).")
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="Limit file to write.")
@click.option("--rule", default="dmcombine madmax limit", show_default=True, help="Recorded in the provenance.")
def madmax_limit(config_json: str, output: str, rule: str) -> None:
    """Limit (prototype) or projected reach (full scale) on g_agamma versus axion mass."""
    from dmcombine import limitfile
    from dmcombine.experiments import madmax
    from dmcombine.provenance import provenance_record

    cfg = _json_option(config_json, "--config-json")
    result = madmax.compute(cfg)
    limitfile.write(output, madmax.limit_document(cfg, result, provenance_record([], cfg, rule)))
    best = int(result["limit_gev"].argmin())
    log.info("%s: strongest limit |g| < %.3g /GeV at m_a = %.4g µeV", cfg["name"], result["limit_gev"][best],
             result["mass_ev"][best] * 1e6)
    log.info("wrote %s", output)


@main.command()
@click.argument("name")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--cl", "confidence_level", default=0.95, show_default=True, type=click.FloatRange(0.5, 1.0, min_open=True, max_open=True))
@click.option("--output", required=True, type=click.Path(dir_okay=False))
@click.option("--rule", default="dmcombine combine", show_default=True, help="Recorded in the provenance.")
def combine(name: str, files: tuple[str, ...], confidence_level: float, output: str, rule: str) -> None:
    """Combine the likelihoods of limit FILES (same parameter, same assumptions) as NAME."""
    from dmcombine import combination, limitfile
    from dmcombine.provenance import provenance_record, sha256_file

    members = [combination.Member(path, limitfile.read(path)) for path in files]
    result = combination.combine(members, confidence_level)
    inputs = {r["did"]: r for m in members for r in m.doc["provenance"]["inputs"]}
    cfg = {"name": name, "confidence_level": confidence_level,
           "components": [sha256_file(p) for p in files]}
    prov = provenance_record(list(inputs.values()), cfg, rule)
    limitfile.write(output, combination.combined_document(name, members, confidence_level, result, prov))
    for x, lim in zip(result["x"], result["limit"], strict=True):
        log.info("x = %.4g: combined limit %.4g", x, lim)
    log.info("wrote %s", output)


@main.command("hepdata")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--output", required=True, type=click.Path(dir_okay=False), help="submission.tar.gz to write.")
def hepdata_export(files: tuple[str, ...], output: str) -> None:
    """Export limit FILES as a validated HEPData submission archive."""
    from dmcombine import hepdata, limitfile

    n = hepdata.export([(path, limitfile.read(path)) for path in files], output)
    click.echo(f"wrote {output}: {n} table(s), valid for hepdata-validator")


@main.command("provenance")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--context", "contexts", multiple=True, help="PLOT:LABEL=DID=PATH of a published curve on a plot.")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--csv", "csv_path", required=True, type=click.Path(dir_okay=False))
@click.option("--markdown", "md_path", required=True, type=click.Path(dir_okay=False))
def provenance_table(files: tuple[str, ...], contexts: tuple[str, ...], catalogue: str, csv_path: str, md_path: str) -> None:
    """A metadata table for every curve on every summary plot (CSV and Markdown)."""
    from dmcombine import tables
    from dmcombine.catalogue import Catalogue

    rows = tables.provenance_rows(list(files), list(contexts), Catalogue.load(catalogue))
    tables.write_provenance(rows, csv_path, md_path)
    log.info("wrote %s and %s (%d curves)", csv_path, md_path, len(rows))


# --- plots ----------------------------------------------------------------------------------


@main.group()
def plot() -> None:
    """Summary plots of limit files beside published context curves."""


@plot.command("si")
@click.option("--limit", "limits", multiple=True, type=click.Path(dir_okay=False), help="Our limit file(s).")
@click.option("--context", "contexts", multiple=True, help="LABEL=DID=PATH of a published curve (fetched input).")
@click.option("--catalogue", default="config/inputs.yaml", show_default=True, type=click.Path(dir_okay=False))
@click.option("--pdf", required=True, type=click.Path(dir_okay=False))
@click.option("--png", required=True, type=click.Path(dir_okay=False))
@click.option("--title", default="Spin-independent WIMP-nucleon scattering", show_default=True)
def plot_si(limits: tuple[str, ...], contexts: tuple[str, ...], catalogue: str, pdf: str, png: str, title: str) -> None:
    """SI cross-section vs WIMP mass: our limits (solid) and published curves (dashed)."""
    import numpy as np
    from scipy.stats import norm

    from dmcombine import limitfile, plotting
    from dmcombine.catalogue import Catalogue, open_verified
    from dmcombine.tables import read_xy

    curves = []
    for path in limits:
        doc = limitfile.read(path)
        if doc["parameter_of_interest"]["unit"] != "cm^2" or doc["x"]["unit"] != "GeV":
            raise ConfigError(f"{path}: the SI plot needs a cross-section in cm^2 versus mass in GeV")
        label = doc["experiment"] + ("" if doc["model"]["variant"] in ("published", "design_book") else f" [{doc['model']['variant']}]")
        if doc["result"]["kind"] in ("projected", "discovery"):
            exposure = doc["model"]["assumptions"].get("exposure_t_yr")
            cl = doc["result"]["confidence_level"]
            what = f"{cl:.0%} CL median" if doc["result"]["kind"] == "projected" else f"{norm.isf(1 - cl):.0f}σ discovery"
            label += f" {what}" + (f", {exposure:g} t·yr" if exposure else "")
        curves.append(plotting.Curve(label, np.asarray(doc["limit"]["x"]), np.asarray(doc["limit"]["value"]), True))
    cat = Catalogue.load(catalogue)
    for spec in contexts:
        try:
            label, did, path = spec.rsplit("=", 2)
        except ValueError:
            raise ConfigError(f"--context {spec!r}: expected LABEL=DID=PATH") from None
        x, y = read_xy(open_verified(cat[did], path), path)
        curves.append(plotting.Curve(label, x, y, False))
    plotting.si_summary(curves, pdf, png, title)
    log.info("wrote %s and %s", pdf, png)


def _sigmav_curves(limits: tuple[str, ...], by_channel_label: bool = False) -> list[tuple[str, Any]]:
    """(channel, curve) of each <sigma v> limit file, labelled by experiment and variant (or, for
    the plot of one dwarf set, by experiment and channel)."""
    import numpy as np

    from dmcombine import limitfile, plotting

    curves = []
    for path in limits:
        doc = limitfile.read(path)
        if doc["parameter_of_interest"]["unit"] != "cm^3/s" or doc["x"]["unit"] != "GeV":
            raise ConfigError(f"{path}: a <sigma v> plot needs a cross-section in cm^3/s versus mass in GeV")
        combined = doc["result"]["method"]["name"] == "sum_of_profile_likelihoods"
        channel = doc["model"]["assumptions"].get("channel", "?")
        cl = f"{100 * doc['result']['confidence_level']:g}% CL"
        kind = "" if doc["result"]["kind"] == "observed" else f"{doc['result']['kind']}, "
        if by_channel_label:
            label = f"{doc['experiment']} {plotting.channel_label(channel)} ({doc['model']['variant']}, {kind}{cl})"
        else:
            label = f"{doc['experiment']} ({'combined' if combined else doc['model']['variant']}, {kind}{cl})"
        curves.append((channel, plotting.Curve(label, np.asarray(doc["limit"]["x"]), np.asarray(doc["limit"]["value"]), True)))
    return curves


@plot.command("sigmav-plane")
@click.argument("limits", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--pdf", required=True, type=click.Path(dir_okay=False))
@click.option("--png", required=True, type=click.Path(dir_okay=False))
@click.option("--title", default="Dark-matter annihilation: all results", show_default=True)
def plot_sigmav_plane(limits: tuple[str, ...], pdf: str, png: str, title: str) -> None:
    """The <sigma v> plane: one panel per channel, each experiment and each combination."""
    from dmcombine import plotting

    by_channel: dict[str, list] = {}
    for channel, curve in _sigmav_curves(limits):
        by_channel.setdefault(channel, []).append(curve)
    plotting.sigmav_plane(by_channel, pdf, png, title)
    log.info("wrote %s and %s", pdf, png)


@plot.command("sigmav")
@click.argument("limits", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--pdf", required=True, type=click.Path(dir_okay=False))
@click.option("--png", required=True, type=click.Path(dir_okay=False))
@click.option("--title", default="Dark-matter annihilation", show_default=True)
def plot_sigmav(limits: tuple[str, ...], pdf: str, png: str, title: str) -> None:
    """<sigma v> limits versus mass, one curve per file (labelled by channel), with the thermal relic."""
    from dmcombine import plotting

    curves = [curve for _, curve in _sigmav_curves(limits, by_channel_label=True)]
    plotting.sigmav_summary(curves, pdf, png, title)
    log.info("wrote %s and %s", pdf, png)


@plot.command("axion")
@click.argument("limits", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--pdf", required=True, type=click.Path(dir_okay=False))
@click.option("--png", required=True, type=click.Path(dir_okay=False))
@click.option("--title", default="Axion dark matter: axion-photon coupling", show_default=True)
def plot_axion(limits: tuple[str, ...], pdf: str, png: str, title: str) -> None:
    """|g_agamma| versus m_a: limits (solid), discovery reach (dashed), KSVZ/DFSZ and the QCD band."""
    import numpy as np

    from dmcombine import limitfile, plotting

    curves = []
    for path in limits:
        doc = limitfile.read(path)
        if doc["parameter_of_interest"]["unit"] != "GeV^-1" or doc["x"]["unit"] != "eV":
            raise ConfigError(f"{path}: the axion plot needs a coupling in GeV^-1 versus mass in eV")
        label = f"{doc['experiment']} {doc['model']['variant']} ({doc['result']['kind']})"
        curves.append(plotting.Curve(label, np.asarray(doc["limit"]["x"]), np.asarray(doc["limit"]["value"]), True))
        for aux in doc.get("auxiliary_limits", []):
            curves.append(plotting.Curve(f"{doc['experiment']} {doc['model']['variant']}: {aux['label']}",
                                         np.asarray(aux["x"]), np.asarray(aux["value"]), False))
    plotting.axion_summary(curves, pdf, png, title)
    log.info("wrote %s and %s", pdf, png)


@plot.command("mediator")
@click.argument("limits", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--pdf", required=True, type=click.Path(dir_okay=False))
@click.option("--png", required=True, type=click.Path(dir_okay=False))
@click.option("--title", default="Spin-1 mediators: ATLAS dilepton exclusion", show_default=True)
def plot_mediator(limits: tuple[str, ...], pdf: str, png: str, title: str) -> None:
    """Excluded mediator masses versus DM mass: one band per benchmark (observed solid, expected dashed)."""
    import numpy as np

    from dmcombine import limitfile, plotting

    curves = []
    for path in limits:
        doc = limitfile.read(path)
        if doc["parameter_of_interest"]["name"] != "mediator_mass":
            raise ConfigError(f"{path}: the mediator plot needs excluded mediator masses (parameter mediator_mass)")
        label = f"{doc['experiment']} {doc['model']['variant']} ({doc['result']['kind']})"
        lower = doc["auxiliary_limits"][0]
        curves.append((label, doc["result"]["kind"] == "observed", np.asarray(doc["limit"]["x"]),
                       np.asarray(lower["value"]), np.asarray(doc["limit"]["value"])))
    plotting.mediator_summary(curves, pdf, png, title)
    log.info("wrote %s and %s", pdf, png)


if __name__ == "__main__":  # pragma: no cover
    main()
