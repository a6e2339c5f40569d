"""The command-line interface a user (and every rule) calls."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from dmcombine import limitfile
from dmcombine.cli import main

from ..conftest import card_config
from .test_limitfile import example

REPO = Path(__file__).resolve().parents[2]


def test_validate_and_csv(tmp_path: Path) -> None:
    path = tmp_path / "toy.json"
    limitfile.write(path, example())
    runner = CliRunner()
    result = runner.invoke(main, ["limitfile", "validate", str(path)])
    assert result.exit_code == 0 and "valid limit-file version 1 (Toy, observed, 3 points)" in result.output
    result = runner.invoke(main, ["limitfile", "csv", str(path)])
    assert result.exit_code == 0 and result.output.startswith("mass [GeV],sigma_si_nucleon [cm^2]\n20.0,")


def test_invalid_file_gives_one_clear_line_and_status_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema": "urn:dmcombine:schema:limit-file:7"}')
    result = CliRunner().invoke(main, ["limitfile", "validate", str(path)])
    assert result.exit_code == 1
    assert f"dmcombine: error: {path}: field 'schema'" in result.output
    assert "Traceback" not in result.output


def test_catalogue_verify_passes_on_the_shipped_inputs(monkeypatch) -> None:
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["catalogue", "verify"])
    assert result.exit_code == 0 and "inputs match config/inputs.yaml" in result.output


def _card(tmp_path: Path, config: dict, kind: str = "madmax", rule: str = "madmax_limit") -> Path:
    path = tmp_path / "card.yaml"
    path.write_text(yaml.safe_dump({"schema": "urn:dmcombine:schema:job-card:1", "rule": rule, "kind": kind,
                                    "inputs": {}, "files": [], "config": config}))
    return path


def test_a_hand_written_card_missing_a_field_gives_one_line(tmp_path: Path) -> None:
    """The issue's case: `dmcombine madmax limit --config-json '{"name":"x"}'` ended in a KeyError."""
    card = _card(tmp_path, {"name": "x"})
    out = tmp_path / "limit.json"
    result = CliRunner().invoke(main, ["run", "madmax", "--card", str(card), "--output", f"limit={out}"])
    assert result.exit_code == 1 and result.exception.__class__ is SystemExit
    assert f"job card {card}: field config: 'confidence_level' is a required property" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_an_extra_key_in_a_card_is_refused(tmp_path: Path) -> None:
    config = card_config("madmax_limit", setup="prototype")
    config["confidence_lvl"] = 0.95
    result = CliRunner().invoke(main, ["run", "madmax", "--card", str(_card(tmp_path, config)),
                                       "--output", f"limit={tmp_path / 'l.json'}"])
    assert result.exit_code == 1 and "'confidence_lvl' was unexpected" in result.output


def test_a_card_of_another_kind_or_wrong_outputs_are_refused(tmp_path: Path) -> None:
    config = card_config("madmax_limit", setup="prototype")
    runner = CliRunner()
    result = runner.invoke(main, ["run", "darkside50", "--card", str(_card(tmp_path, config)), "--output", "limit=x.json"])
    assert result.exit_code == 1 and "field 'kind' is 'madmax'; this command runs 'darkside50' cards" in result.output
    result = runner.invoke(main, ["run", "madmax", "--card", str(_card(tmp_path, config)), "--output", "lmit=x.json"])
    assert result.exit_code == 1 and "this job writes the roles limit; got lmit" in result.output
    result = runner.invoke(main, ["run", "nope", "--card", str(_card(tmp_path, config)), "--output", "limit=x.json"])
    assert result.exit_code == 1 and "unknown experiment 'nope'" in result.output


def test_a_valid_card_writes_the_limit_file(tmp_path: Path) -> None:
    out = tmp_path / "limit.json"
    card = _card(tmp_path, card_config("madmax_limit", setup="prototype"))
    result = CliRunner().invoke(main, ["run", "madmax", "--card", str(card), "--output", f"limit={out}"])
    assert result.exit_code == 0, result.output
    assert limitfile.read(out)["model"]["variant"] == "prototype"


def test_jobs_pin_the_avx2_kernels_where_the_cpu_has_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every job computes with the same kernels on every x86-64 machine with AVX2 (numpy without
    AVX-512, OpenBLAS Haswell), a user's own choice kept, nothing forced on a CPU that cannot run them."""
    from dmcombine import cli

    for variable in ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE"):
        monkeypatch.delenv(variable, raising=False)
    cli._pin_x86_kernels("fpu sse2 avx")
    assert "NPY_DISABLE_CPU_FEATURES" not in os.environ and "OPENBLAS_CORETYPE" not in os.environ
    cli._pin_x86_kernels("fpu sse2 avx avx2 fma avx512f")
    assert os.environ["NPY_DISABLE_CPU_FEATURES"] == "X86_V4 AVX512_ICL AVX512_SPR"
    assert os.environ["OPENBLAS_CORETYPE"] == "Haswell"
    monkeypatch.setenv("OPENBLAS_CORETYPE", "SkylakeX")
    cli._pin_x86_kernels("avx2 fma")
    assert os.environ["OPENBLAS_CORETYPE"] == "SkylakeX"


def test_a_job_runs_with_the_pinned_kernels(tmp_path: Path) -> None:
    """In a job's own process (as every rule starts it) the settings are in place before numpy
    loads, and numpy took them: no AVX-512 kernel is among those it dispatches to."""
    code = ("import dmcombine.cli, os, numpy\n"
            "from numpy._core._multiarray_umath import __cpu_features__ as f\n"
            "print(os.environ.get('NPY_DISABLE_CPU_FEATURES', ''), any(f.get(k) for k in ('X86_V4', 'AVX512F', 'AVX512_SKX')))")
    env = {k: v for k, v in os.environ.items() if k not in ("NPY_DISABLE_CPU_FEATURES", "OPENBLAS_CORETYPE")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout.split()
    with open("/proc/cpuinfo") as info:
        has_avx2 = {"avx2", "fma"} <= set(next(line for line in info if line.startswith("flags")).split())
    if has_avx2:
        assert out == ["X86_V4", "AVX512_ICL", "AVX512_SPR", "False"]
    else:  # nothing forced: the machine's own kernels
        assert out[:-1] == []
