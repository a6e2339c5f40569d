"""The workflow end to end on the shipped inputs, and what it does with bad input."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dmcombine import limitfile
from dmcombine.catalogue import Checksums, workflow_catalogue
from dmcombine.planning.paths import staged

from ..conftest import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

LIMIT = Path("results/darkside50/published/limit.json")
PLOTS = (Path("results/summary/si_summary.pdf"), Path("results/summary/si_summary.png"))
ACCEPTANCE_DID = "dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat"


def test_default_run_writes_a_valid_limit_file_and_plots(default_run: Path) -> None:
    doc = limitfile.read(default_run / LIMIT)
    assert doc["experiment"] == "DarkSide-50" and doc["result"]["kind"] == "observed"
    assert len(doc["limit"]["x"]) >= 50
    dids = {record["did"] for record in doc["provenance"]["inputs"]}
    assert dids == {"dmcombine:darkside50.highmass.json", ACCEPTANCE_DID}
    assert doc["provenance"]["rule"] == "darkside50_limit"
    assert re.fullmatch(r"[0-9a-f]{40}(\+dirty)?|unknown", doc["provenance"]["software"]["git_commit"])
    for plot in PLOTS:
        assert (default_run / plot).stat().st_size > 10_000
    assert (default_run / PLOTS[0]).read_bytes().startswith(b"%PDF")
    assert (default_run / PLOTS[1]).read_bytes().startswith(b"\x89PNG")


def test_fermi_limit_files_and_plots(default_run: Path) -> None:
    files = sorted((default_run / "results/fermi_dwarfs").glob("*/*/limit.json"))
    assert len(files) == 3 * 4
    for path in files:
        doc = limitfile.read(path)
        assert doc["parameter_of_interest"]["unit"] == "cm^3/s" and doc["likelihood"]["type"] == "profile_table"
        assert doc["auxiliary_limits"], path
    for dwarf_set in ("albert2017_kinematic", "albert2017_combined", "ackermann2015"):
        assert (default_run / f"results/fermi_dwarfs/{dwarf_set}/sigmav_limits.png").stat().st_size > 10_000


def test_every_experiment_writes_its_results(default_run: Path) -> None:
    import uproot

    for path in ("results/madmax/prototype/limit.json", "results/madmax/full_scale/limit.json",
                 "results/xlzd/design_book/200tyr/projected.json", "results/xlzd/design_book/1000tyr/discovery.json",
                 "results/xlzd/halo_2021/200tyr/projected.json", "results/darkside50/halo_2021/limit.json",
                 "results/atlas_dilepton/V2/mediator_observed.json",
                 "results/models/spin1_mediator/A2/atlas_dilepton_A2_mediator_observed.json",
                 "results/km3net/tautau/10yr.json", "results/km3net/nunu/1yr.json",
                 "results/combination/sigmav_tautau/limit.json"):
        limitfile.read(default_run / path)
    assert (default_run / "results/km3net/sigmav_sensitivity.png").stat().st_size > 10_000
    with uproot.open(default_run / "results/atlas_dilepton/A2/limits.root") as f:
        assert "A2_observed_excluded" in [k.split(";")[0] for k in f.keys()]
    for plot in ("axion_summary", "mediator_V2_summary", "mediator_A2_summary", "si_summary", "sd_summary",
                 "sigmav_summary", "higgs_portal_summary"):
        assert (default_run / f"results/summary/{plot}.png").stat().st_size > 10_000


def test_no_wall_clock_time_in_outputs(default_run: Path) -> None:
    text = (default_run / LIMIT).read_text()
    assert not re.search(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]", text)


def test_rerun_elsewhere_is_byte_identical(default_run: Path, tmp_path: Path) -> None:
    second = copy_workflow(tmp_path / "second")
    targets = (LIMIT, "results/km3net/tautau/10yr.json", "results/xlzd/design_book/200tyr/projected.json")
    result = snakemake(second, *(staged(str(t)) for t in targets), "--cores", "2")
    assert result.returncode == 0, result.stderr
    for target in targets:
        assert (second / target).read_bytes() == (default_run / target).read_bytes(), target


def test_nothing_to_do_on_a_second_invocation(default_run: Path) -> None:
    result = snakemake(default_run, "--cores", "1", "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_tampered_input_stops_the_run_and_produces_nothing_downstream(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "tampered")
    entry = workflow_catalogue(workdir / "config/inputs.yaml")[ACCEPTANCE_DID]
    shipped = workdir / entry.path
    shipped.write_bytes(shipped.read_bytes().replace(b"e-01", b"e-02", 1))
    got = Checksums.of_file(shipped)
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    for piece in (ACCEPTANCE_DID, entry.checksums.adler32, entry.checksums.md5, got.adler32, got.md5):
        assert piece in output
    # one report per failed job (one or both DarkSide-50 variants, as they ran side by side): its
    # message, then one block with its log path and its command; no RuleException repeating it
    failed = output.count(f"dmcombine: error: input {ACCEPTANCE_DID}")
    blocks = re.findall(r"logs/darkside50/\w+\.log \(check log file\(s\) for error details\)", output)
    assert failed == output.count("run darkside50 --card") == len(blocks) >= 1, output[-3000:]
    assert "RuleException" not in output, output[-3000:]
    assert not (workdir / LIMIT).exists() and not (workdir / staged(str(LIMIT))).exists()
    # only results that do not read the tampered file may exist, and nothing downstream of it
    written = list((workdir / "results").rglob("*.json")) if (workdir / "results").exists() else []
    assert all(ACCEPTANCE_DID not in {r["did"] for r in limitfile.read(p)["provenance"]["inputs"]} for p in written)
    assert not (workdir / "results/summary/si_summary.png").exists()


def test_tampering_after_a_run_keeps_the_earlier_result(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "later")
    assert snakemake(workdir, staged(str(LIMIT)), "--cores", "2").returncode == 0
    before = (workdir / LIMIT).read_bytes()
    entry = workflow_catalogue(workdir / "config/inputs.yaml")[ACCEPTANCE_DID]
    shipped = workdir / entry.path
    shipped.write_bytes(shipped.read_bytes()[:-200])  # truncated
    result = snakemake(workdir, "--cores", "2")
    assert result.returncode != 0 and ACCEPTANCE_DID in result.stdout + result.stderr
    assert (workdir / LIMIT).read_bytes() == before  # the last good result, still published


def test_changing_one_setting_reruns_only_the_jobs_whose_card_changed(default_run: Path, tmp_path: Path) -> None:
    """A new KM3NeT channel is one new card: Snakemake's own dry run plans that job and the
    summaries that read its files, and no other KM3NeT job (they share nothing but configuration)."""
    workdir = tmp_path / "card"
    shutil.copytree(default_run, workdir, symlinks=True)
    (workdir / "change.yaml").write_text("km3net: {channels: [ww, tautau, bb, mumu, nunu, ee]}\n")
    result = snakemake(workdir, "--cores", "1", "--dry-run", "--configfile", "change.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout + result.stderr
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", out.split("Job stats:")[1].split("Reasons")[0], re.MULTILINE))
    assert jobs.get("km3net_sensitivity") == "1" and "channel=ee" in out, jobs
    assert set(jobs) <= {"km3net_sensitivity", "km3net_plot", "summary_plot", "summary_provenance", "hepdata_export", "results_catalogue", "all", "total"}, jobs
    # going back to the configuration that was run finds its cards, and nothing is to be done
    back = snakemake(workdir, "--cores", "1", "--dry-run")
    assert "Nothing to be done" in back.stdout + back.stderr


def test_a_changed_input_reruns_only_the_jobs_that_read_it(default_run: Path, tmp_path: Path) -> None:
    """A shipped input restored with the same bytes reruns nothing (Snakemake 9 compares the checksum
    it recorded); a changed one reruns the jobs that read it and what reads their results, nothing
    else (dry run). like_bootes_II is read by one dwarf set only, but one job per channel computes
    every set (a dwarf shared by two sets is profiled once): the four channel jobs rerun, with the
    plots and combinations of the sets they write; no other experiment's job."""
    workdir = tmp_path / "restored"
    shutil.copytree(default_run, workdir, symlinks=True)
    shipped = workdir / "data/fermi_dwarfs/likelihoods/like_bootes_II.txt"
    shipped.touch()
    same = snakemake(workdir, "--cores", "1", "--dry-run")
    assert "Nothing to be done" in same.stdout + same.stderr
    shipped.write_bytes(shipped.read_bytes() + b"\n")
    result = snakemake(workdir, "--cores", "1", "--dry-run")
    out = result.stdout + result.stderr
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", out.split("Job stats:")[1].split("Reasons")[0], re.MULTILINE))
    assert jobs.get("fermi_dwarfs_limit") == "4" and jobs.get("fermi_dwarfs_plot") == "3", jobs
    assert not {"darkside50_limit", "km3net_sensitivity", "xlzd_sensitivity", "madmax_limit", "atlas_dilepton_limits",
                "model_translate", "limitfile_import"} & set(jobs), jobs
