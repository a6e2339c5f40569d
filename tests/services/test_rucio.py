"""Rucio mode against a real Rucio server started by the tests on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dmcombine import limitfile
from dmcombine.catalogue import Checksums, workflow_catalogue
from dmcombine.planning.paths import staged

from ..conftest import REPO, RUCIO_DATASET, VENV_BIN, copy_workflow, default_plan, start_registered_lab
from .rucio_lab import ACCOUNT_PASSWORD, RSE, RucioLab

pytestmark = pytest.mark.rucio

LIMIT = Path("results/darkside50/published/limit.json")
RUCIO_MODE = "inputs: {source: rucio, rucio_attempts: 2}\n"


def dmcombine(lab: RucioLab, *args: str, config: Path | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VENV_BIN / "dmcombine"), *args], cwd=cwd, env=lab.env(config), capture_output=True, text=True, timeout=300
    )


def snakemake_rucio(lab: RucioLab, workdir: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    (workdir / "rucio-mode.yaml").write_text(RUCIO_MODE)
    return subprocess.run(
        [str(VENV_BIN / "snakemake"), *args, "--cores", "2", "--configfile", "rucio-mode.yaml"],
        cwd=workdir, env=lab.env(config), capture_output=True, text=True, timeout=600,
    )


def rucio_workflow(tmp: Path) -> Path:
    """A workflow copy without the shipped data: in Rucio mode nothing may read it."""
    workdir = copy_workflow(tmp)
    for path in sorted((workdir / "data").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (workdir / "data").rmdir()
    return workdir


def test_register_is_idempotent(rucio_lab: tuple[RucioLab, list]) -> None:
    server, (first, second) = rucio_lab
    n = len(workflow_catalogue(REPO / "config/inputs.yaml"))
    assert first.returncode == 0, first.stderr
    assert f"uploaded {n} input(s) to {RSE}, 0 already registered; attached {n} file(s) to {RUCIO_DATASET}" in first.stdout
    assert second.returncode == 0, second.stderr
    assert f"nothing changed: all {n} inputs are already registered" in second.stdout
    content = json.loads(server.admin("import json; print(json.dumps([d['name'] for d in c.list_content('dmcombine', 'dmcombine.inputs')]))"))
    assert len(content) == n


@pytest.fixture(scope="module")
def rucio_run(rucio_lab: tuple[RucioLab, list], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default workflow run once in Rucio mode, with no shipped data in the copy."""
    server, _ = rucio_lab
    workdir = rucio_workflow(tmp_path_factory.mktemp("rucio_run") / "wf")
    began = time.monotonic()
    result = snakemake_rucio(server, workdir)
    assert result.returncode == 0, result.stderr[-3000:]
    print(f"Rucio-mode workflow: {time.monotonic() - began:.1f} s", file=sys.stderr)
    return workdir


def test_rucio_mode_gives_byte_identical_results(rucio_run: Path, default_run: Path) -> None:
    ours = sorted(p.relative_to(rucio_run) for p in (rucio_run / "results").rglob("limit.json"))
    assert len(ours) == len(list((default_run / "results").rglob("limit.json"))) > 1
    for path in ours:
        assert (rucio_run / path).read_bytes() == (default_run / path).read_bytes(), path
    read = {i.did for job in default_plan().jobs for i in job.inputs.values()}  # one fetch per input DID any job reads
    logs = list((rucio_run / "logs/inputs").rglob("*.log"))
    assert len(logs) == len(read) > 100 and all("from Rucio" in log.read_text() for log in logs)
    assert len(list((rucio_run / "resources/inputs").rglob("*"))) == len(read) + 1  # the verified copies (and their scope)


def test_publish_results(rucio_lab: tuple[RucioLab, list], rucio_run: Path) -> None:
    server, _ = rucio_lab
    workdir = rucio_run
    config = f'publish={{"rse": "{RSE}", "dataset": "results:dmcombine.results"}}'
    result = snakemake_rucio(server, workdir, "publish_results", "--config", config)
    assert result.returncode == 0, result.stderr[-3000:]
    receipt = json.loads((workdir / "results/published/receipt.json").read_text())
    # every declared result (the catalogue by its index page: its other pages are views, not results)
    expected = {p.relative_to(workdir).as_posix() for p in (workdir / "results").rglob("*")
                if p.is_file() and p.relative_to(workdir / "results").parts[0] not in ("published", "catalogue")}
    expected.add("results/catalogue/index.html")
    assert receipt["dataset"] == "results:dmcombine.results"
    assert {r["file"] for r in receipt["files"]} == expected
    for record in receipt["files"]:
        local = Checksums.of_file(workdir / record["file"])
        assert (record["adler32"], record["md5"], record["bytes"]) == (local.adler32, local.md5, local.bytes)
        scope, name = record["did"].split(":")
        meta = json.loads(server.admin(f"import json; m = c.get_metadata({scope!r}, {name!r}); print(json.dumps({{k: m[k] for k in ('adler32', 'md5', 'bytes')}}))"))
        assert (meta["adler32"], meta["md5"], meta["bytes"]) == (local.adler32, local.md5, local.bytes)
    assert any(r["did"].startswith("results:darkside50.published.limit.") for r in receipt["files"])


def test_publish_needs_a_configured_target(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "nopub")
    result = subprocess.run(
        [str(VENV_BIN / "snakemake"), "--cores", "1", "--dry-run", "publish_results"],
        cwd=workdir, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "publish_results needs publish.rse in the config" in result.stderr + result.stdout


def test_corrupted_replica_gives_checksum_error_and_no_output(rucio_lab: tuple[RucioLab, list], tmp_path: Path) -> None:
    server, _ = rucio_lab
    did = "dmcombine:darkside50.overall_nr_acceptance_vs_enr.dat"
    entry = workflow_catalogue(REPO / "config/inputs.yaml")[did]
    [replica] = [p for p in server.rse_dir.rglob(entry.name) if p.is_file()]
    original = replica.read_bytes()
    try:
        replica.write_bytes(original.replace(b"e-01", b"e-02", 1))
        got = Checksums.of_file(replica)
        workdir = rucio_workflow(tmp_path / "corrupt")
        result = snakemake_rucio(server, workdir)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        for piece in (did, entry.checksums.adler32, entry.checksums.md5, got.adler32, got.md5):
            assert piece in output
        assert not (workdir / LIMIT).exists()
        assert not (workdir / "resources/inputs/dmcombine" / entry.name).exists()
    finally:
        replica.write_bytes(original)


def test_wrong_credentials_fail_clearly_and_leak_nothing(rucio_lab: tuple[RucioLab, list], tmp_path: Path) -> None:
    server, _ = rucio_lab
    wrong = "not-the-password-7d2a"
    config = server.client_config(password=wrong, name="wrong.cfg")
    workdir = rucio_workflow(tmp_path / "creds")
    result = snakemake_rucio(server, workdir, config=config)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "CannotAuthenticate" in output
    for secret in (wrong, ACCOUNT_PASSWORD):
        assert secret not in output
        for path in workdir.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
    assert not (workdir / LIMIT).exists()


def test_provenance_holds_no_credentials(rucio_lab: tuple[RucioLab, list], default_run: Path) -> None:
    text = (default_run / LIMIT).read_text()
    assert ACCOUNT_PASSWORD not in text and "password" not in text
    doc = limitfile.read(default_run / LIMIT)
    assert set(doc["provenance"]) == {"inputs", "software", "config_sha256", "rule"}


def _assert_no_partial_outputs(workdir: Path) -> None:
    assert not (workdir / LIMIT).exists()
    catalogue = workflow_catalogue(REPO / "config/inputs.yaml")
    for path in (workdir / "resources").rglob("*") if (workdir / "resources").exists() else []:
        if path.is_file():  # anything left is complete and verified, never a fragment
            assert Checksums.of_file(path) == catalogue[f"dmcombine:{path.name}"].checksums, path


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for top in ("results", "resources")
            for p in (root / top).rglob("*") if p.is_file()}


def test_a_failed_fetch_keeps_every_verified_copy(rucio_lab: tuple[RucioLab, list], rucio_run: Path, tmp_path: Path) -> None:
    """One input must be fetched again and the fetch fails (wrong credentials): every other verified
    input, and every result, stays in place byte for byte."""
    server, _ = rucio_lab
    workdir = tmp_path / "again"
    shutil.copytree(rucio_run, workdir, symlinks=True)
    name = "darkside50.highmass.json"
    for folder in (".dmcombine/stage/resources/inputs/dmcombine", "resources/inputs/dmcombine"):
        (workdir / folder / name).unlink()
    (workdir / staged(str(LIMIT))).unlink()  # so that the limit job, and its fetch, must run again
    before = _files(workdir)
    result = snakemake_rucio(server, workdir, config=server.client_config(password="wrong-9c1", name="wrong2.cfg"))
    assert result.returncode != 0 and "CannotAuthenticate" in result.stdout + result.stderr
    assert _files(workdir) == before


def test_server_stopped_before_the_run(tmp_path: Path) -> None:
    server, _ = start_registered_lab(tmp_path / "lab")
    server.stop()
    workdir = rucio_workflow(tmp_path / "down")
    began = time.monotonic()
    result = snakemake_rucio(server, workdir)
    assert result.returncode != 0
    assert time.monotonic() - began < 120  # bounded retries, no hang
    output = result.stdout + result.stderr
    assert f"the Rucio server {server.url} did not answer after 2 attempts" in output
    _assert_no_partial_outputs(workdir)


def test_server_stopped_during_the_run(tmp_path: Path) -> None:
    server, _ = start_registered_lab(tmp_path / "lab")
    workdir = rucio_workflow(tmp_path / "during")
    (workdir / "rucio-mode.yaml").write_text(RUCIO_MODE)
    run = subprocess.Popen(
        [str(VENV_BIN / "snakemake"), "--cores", "1", "--configfile", "rucio-mode.yaml"],
        cwd=workdir, env=server.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        inputs = workdir / "resources/inputs/dmcombine"
        deadline = time.monotonic() + 120
        while not (inputs.exists() and any(inputs.iterdir())):
            assert run.poll() is None and time.monotonic() < deadline, "no input was fetched"
            time.sleep(0.05)
        server.stop()  # the first input has arrived; the others are still to come
        output, _ = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
        server.stop()
    assert run.returncode != 0
    assert "did not answer after 2 attempts" in output
    _assert_no_partial_outputs(workdir)
