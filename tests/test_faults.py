"""Faults during execution: a killed job, a full disk, two runs at once. Nothing is lost and no
partial output survives where a later run would take it as valid. (The other fault categories —
config, inputs, limit files, data lake — are tested beside their code; docs/faults.md lists all.)"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dmcombine import fileio, limitfile
from dmcombine.errors import LimitFileError, OutputError

from .conftest import VENV_BIN, copy_workflow, snakemake, tool_env
from .test_limitfile import example


def limit_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "results").rglob("limit.json")}


@pytest.mark.workflow
def test_killed_run_completes_on_rerun_without_truncated_files(default_run: Path, tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "killed")
    run = subprocess.Popen(
        [str(VENV_BIN / "snakemake"), "--workflow-profile", "profiles/local", "--cores", "2"],
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
    locked = snakemake(workdir, "--workflow-profile", "profiles/local", "--cores", "2")
    assert locked.returncode != 0 and "--unlock" in locked.stdout + locked.stderr
    assert snakemake(workdir, "--unlock").returncode == 0
    result = snakemake(workdir, "--workflow-profile", "profiles/local", "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert limit_files(workdir) == limit_files(default_run)
    assert not list((workdir / "results").rglob("*.part"))


@pytest.mark.workflow
def test_two_runs_in_one_directory_are_refused_by_the_lock(default_run: Path, tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "locked")
    first = subprocess.Popen(
        [str(VENV_BIN / "snakemake"), "--cores", "2"], cwd=workdir, env=tool_env(),
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
    assert limit_files(workdir) == limit_files(default_run)


def test_full_disk_leaves_the_previous_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "limit.json"
    limitfile.write(target, example())
    before = target.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", no_space)
    with pytest.raises(OutputError, match=f"cannot write {target}: No space left on device; the previous file"):
        limitfile.write(target, example(5))
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["limit.json"]


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
