"""The command-line interface a user (and every rule) calls."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dmcombine import limitfile
from dmcombine.cli import main

from .test_limitfile import example

REPO = Path(__file__).resolve().parents[1]


def test_validate_and_csv(tmp_path: Path) -> None:
    path = tmp_path / "toy.json"
    limitfile.write(path, example())
    runner = CliRunner()
    result = runner.invoke(main, ["limitfile", "validate", str(path)])
    assert result.exit_code == 0 and "valid (Toy, observed, 3 points)" in result.output
    result = runner.invoke(main, ["limitfile", "csv", str(path)])
    assert result.exit_code == 0 and result.output.startswith("mass [GeV],sigma_si_nucleon [cm^2]\n20.0,")


def test_invalid_file_gives_one_clear_line_and_status_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema": "urn:dmcombine:schema:limit-file:7"}')
    result = CliRunner().invoke(main, ["limitfile", "validate", str(path)])
    assert result.exit_code == 1
    assert f"dmcombine: error: {path}: field 'schema'" in result.output
    assert "Traceback" not in result.output


def test_catalogue_verify_passes_on_the_shipped_inputs(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["catalogue", "verify"])
    assert result.exit_code == 0 and "inputs match config/inputs.yaml" in result.output


def test_fetch_unknown_did(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(REPO)
    out = tmp_path / "dmcombine" / "missing.dat"
    result = CliRunner().invoke(main, ["fetch", str(out)])
    assert result.exit_code == 1 and "DID dmcombine:missing.dat is not in the inputs catalogue" in result.output
    assert not out.exists()
