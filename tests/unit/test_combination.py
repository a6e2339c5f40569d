"""The combination: synthetic likelihoods with known combined limits, refusals, outputs."""

from __future__ import annotations

import copy
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy.optimize import brentq, minimize_scalar

from dmcombine import combination, limitfile
from dmcombine.combination import CombinationError, Member

from ..conftest import VENV_BIN
from ..unit.test_limitfile import example

X = [10.0, 100.0, 1000.0]
THRESHOLD_95 = 2.705543454095404


def gaussian_doc(experiment: str, mean: float, sigma: float, kind: str = "observed", cl: float = 0.95) -> dict:
    doc = limitfile.to_builtin(example(3))
    mu = np.linspace(0.0, 30.0, 6001)
    m2 = ((mu - mean) / sigma) ** 2
    m2 -= m2.min()
    limit = mean + np.sqrt(THRESHOLD_95) * sigma if mean >= 0 else None
    doc.update(experiment=experiment)
    doc["provenance"]["inputs"][0]["did"] = f"dmcombine:toy_{experiment.lower()}.dat"  # each its own data
    doc["result"].update(kind=kind, confidence_level=cl)
    doc["parameter_of_interest"] = {"name": "sigmav", "unit": "cm^3/s", "label": "<sigma v>"}
    doc["model"] = {"name": "WIMP annihilation", "variant": "toy", "assumptions": {"channel": "bb", "self_conjugate": True}}
    doc["limit"] = {"x": X, "value": [limit or 1.0] * 3}
    doc["likelihood"] = {"type": "profile_table", "poi_values": [mu.tolist()] * 3, "delta_minus2lnl": [m2.tolist()] * 3}
    return doc


def counting_doc(experiment: str, n: int, b: float, per_poi: float) -> dict:
    doc = gaussian_doc(experiment, 1.0, 1.0)
    doc["likelihood"] = {"type": "poisson_counting", "observed_events": n, "expected_background_events": b,
                         "signal_per_poi": [per_poi] * 3}
    doc["limit"]["value"] = [3.0 / per_poi] * 3
    return doc


def members(tmp_path: Path, *docs: dict) -> list[Member]:
    out = []
    for i, doc in enumerate(docs):
        path = tmp_path / f"m{i}.json"
        limitfile.write(path, doc)
        out.append(Member(str(path), limitfile.read(path)))
    return out


def test_two_gaussians_combine_to_the_analytic_limit(tmp_path: Path) -> None:
    (a1, s1), (a2, s2) = (0.5, 1.0), (1.0, 2.0)
    mean = (a1 / s1**2 + a2 / s2**2) / (1 / s1**2 + 1 / s2**2)
    sigma = (1 / s1**2 + 1 / s2**2) ** -0.5
    expected = mean + np.sqrt(THRESHOLD_95) * sigma
    result = combination.combine(members(tmp_path, gaussian_doc("A", a1, s1), gaussian_doc("B", a2, s2)), 0.95)
    assert np.allclose(result["limit"], expected, rtol=1e-3)
    assert result["x"].tolist() == X


def test_two_poisson_counts_combine_to_the_exact_limit(tmp_path: Path) -> None:
    (n1, b1, k1), (n2, b2, k2) = (2, 0.5, 1.5), (0, 0.2, 0.8)

    def m2lnl(mu: float) -> float:
        return sum(2 * ((mu * k + b) - n * np.log(mu * k + b)) for n, b, k in ((n1, b1, k1), (n2, b2, k2)))

    best = minimize_scalar(m2lnl, bounds=(0.0, 50.0), method="bounded", options={"xatol": 1e-12}).x
    best = max(best, 0.0)
    expected = brentq(lambda mu: m2lnl(mu) - m2lnl(best) - THRESHOLD_95, best, 100.0, xtol=1e-12)
    result = combination.combine(members(tmp_path, counting_doc("A", n1, b1, k1), counting_doc("B", n2, b2, k2)), 0.95)
    assert np.allclose(result["limit"], expected, rtol=1e-3)


def test_inputs_quoted_at_other_confidence_levels_are_recombined_at_the_requested_one(tmp_path: Path) -> None:
    a = gaussian_doc("A", 0.0, 1.0, cl=0.9)
    b = gaussian_doc("B", 0.0, 1.0, cl=0.95)
    result90 = combination.combine(members(tmp_path, a, b), 0.90)
    result95 = combination.combine(members(tmp_path, a, b), 0.95)
    sigma = 2**-0.5
    assert np.allclose(result90["limit"], np.sqrt(1.6423744151498) * sigma, rtol=1e-3)
    assert np.allclose(result95["limit"], np.sqrt(THRESHOLD_95) * sigma, rtol=1e-3)


def test_results_sharing_an_input_are_refused_naming_it(tmp_path: Path) -> None:
    a, b = gaussian_doc("A", 0.0, 1.0), gaussian_doc("B", 0.0, 1.0)
    b["provenance"]["inputs"].append(dict(a["provenance"]["inputs"][0]))
    with pytest.raises(CombinationError, match="both are built on the same data.*dmcombine:toy_a.dat"):
        combination.combine(members(tmp_path, a, b), 0.95)
    # a combination carries the union of its members' inputs, so combining it again with one of them is refused
    first = members(tmp_path, gaussian_doc("A", 0.0, 1.0), gaussian_doc("B", 0.0, 1.0))
    assert {r["did"] for r in combination.union_of_inputs(first)} == {"dmcombine:toy_a.dat", "dmcombine:toy_b.dat"}


def test_different_defining_assumptions_are_refused_naming_the_field(tmp_path: Path) -> None:
    a, b = gaussian_doc("A", 0.0, 1.0), gaussian_doc("B", 0.0, 1.0)
    for doc, rho in ((a, 0.3), (b, 0.4)):
        doc["parameter_of_interest"] = {"name": "sigma_si_nucleon", "unit": "cm^2", "label": "SI"}
        doc["model"] = {"name": "WIMP SI", "variant": "x", "assumptions": {"halo": {"rho_gev_cm3": rho}, "couplings": {"fn_over_fp": 1}}}
    with pytest.raises(CombinationError, match="different assumption 'halo'"):
        combination.combine(members(tmp_path, a, b), 0.95)


def test_combined_is_not_the_tightest_curve(tmp_path: Path) -> None:
    """Two results that both see an excess combine to a weaker limit than the tighter alone would
    suggest from its own limit only if the data say so; here the combination is tighter than both."""
    a, b = gaussian_doc("A", 0.0, 1.0), gaussian_doc("B", 0.0, 1.0)
    result = combination.combine(members(tmp_path, a, b), 0.95)
    single = np.sqrt(THRESHOLD_95)
    assert np.allclose(result["limit"], single / np.sqrt(2), rtol=1e-3)


def test_observed_data_combined_with_a_projection_is_a_projection(tmp_path: Path) -> None:
    pair = members(tmp_path, gaussian_doc("A", 0.0, 1.0), gaussian_doc("B", 0.0, 1.0, kind="projected", cl=0.9))
    result = combination.combine(pair, 0.95)
    doc = combination.combined_document("toy", pair, 0.95, result, {"inputs": [], "software": {}, "config_sha256": "0" * 64,
                                                                     "rule": "test"})
    assert doc["result"]["kind"] == "projected" and "Asimov profile of a projection" in doc["result"]["method"]["description"]
    assert np.allclose(result["limit"], np.sqrt(THRESHOLD_95) / np.sqrt(2), rtol=1e-3)
    with pytest.raises(CombinationError, match="different result kind"):
        combination.combine(members(tmp_path, gaussian_doc("A", 0.0, 1.0, kind="expected"),
                                    gaussian_doc("B", 0.0, 1.0, kind="projected")), 0.95)


def test_cli_writes_a_valid_combined_limit_file(tmp_path: Path) -> None:
    pair = members(tmp_path, gaussian_doc("A", 0.5, 1.0), counting_doc("B", 1, 0.3, 1.0))
    out = tmp_path / "combined.json"
    result = subprocess.run(
        [str(VENV_BIN / "dmcombine"), "combine", "toy", pair[0].path, pair[1].path, "--output", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    doc = limitfile.read(out)
    assert doc["experiment"] == "A + B" and doc["result"]["method"]["name"] == "sum_of_profile_likelihoods"
    assert [c["file"] for c in doc["model"]["assumptions"]["components"]] == [pair[0].path, pair[1].path]


def test_invalid_hepdata_tables_are_refused(tmp_path: Path) -> None:
    """An archive hepdata-validator rejects is reported with its messages, not as valid."""
    bad = tmp_path / "broken.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        info = tarfile.TarInfo("submission.yaml")
        payload = b"---\nnot_a_field: 1\n"
        info.size = len(payload)
        import io

        tar.addfile(info, io.BytesIO(payload))
    result = subprocess.run(
        [str(VENV_BIN / "python"), "-W", "ignore", "-c",
         f"from dmcombine.hepdata import validate_archive; print(validate_archive({str(bad)!r}))"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0 and result.stdout.strip() != "[]", result.stdout + result.stderr


def _table() -> dict:
    return {
        "independent_variables": [{"header": {"name": "mass", "units": "GeV"},
                                   "values": [{"value": 10.0}, {"low": 20.0, "high": 30.0}, {"value": "40"}]}],
        "dependent_variables": [{"header": {"name": "limit", "units": "cm^2"},
                                 "qualifiers": [{"name": "CL", "value": "0.95"}],
                                 "values": [{"value": 1e-45, "errors": [{"symerror": 1e-46, "label": "stat"}]},
                                            {"value": 2e-45}, {"value": "-"}]}],
    }


def _broken_tables() -> list[dict]:
    """A valid table with one fault each: a wrong type, a missing field, an unknown error form,
    a range with only one end, unequal lengths (a check outside the schema), a bad error value."""
    faults = []
    for edit in (
        lambda t: t["independent_variables"][0]["values"][0].update(value=[1.0]),
        lambda t: t["dependent_variables"][0].pop("header"),
        lambda t: t["dependent_variables"][0]["values"][0]["errors"][0].update(symerror=None),
        lambda t: t["independent_variables"][0]["values"][1].pop("high"),
        lambda t: t["dependent_variables"][0]["values"].pop(),
        lambda t: t["dependent_variables"][0]["values"][0]["errors"][0].update(symerror="abc"),
        lambda t: t["independent_variables"][0]["header"].update(name=3),
        lambda t: t.update(dependent_variables="none"),
    ):
        table = _table()
        edit(table)
        faults.append(table)
    return faults


def test_compiled_schema_check_gives_hepdata_validators_verdict_and_messages() -> None:
    """hepdata-validator with the compiled schema check (dmcombine.hepdata) accepts and refuses
    exactly the tables it accepts and refuses alone, with the same messages."""
    from hepdata_validator.data_file_validator import DataFileValidator

    from dmcombine import hepdata

    for number, table in enumerate([_table(), *_broken_tables()]):
        verdicts = []
        for compiled in (False, True):
            validator = DataFileValidator()
            walked = []
            own = validator._validate_json_against_schema
            validator._validate_json_against_schema = lambda *args, own=own, walked=walked, **kw: walked.append(1) or own(*args, **kw)
            if compiled:
                hepdata._with_compiled_schemas(validator)
            valid = validator.validate(file_path=f"table{number}.yaml", data=copy.deepcopy(table))
            verdicts.append((valid, [m.message for m in validator.get_messages().get(f"table{number}.yaml", [])]))
            if compiled and number == 0:
                assert not walked  # the valid table never reached jsonschema
        assert verdicts[0] == verdicts[1], (number, verdicts)
        assert verdicts[0][0] is (number == 0), (number, verdicts)


def test_citation_file() -> None:
    cff = yaml.safe_load((Path(__file__).resolve().parents[2] / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["license"] == "BSD-3-Clause"
    assert cff["title"] and cff["authors"] and cff["version"]
    assert copy.deepcopy(cff)["message"]


def test_the_hepdata_archive_is_the_same_bytes_for_the_same_tables(tmp_path: Path) -> None:
    """Two exports of the same limit files, a second apart, give identical archives: members
    sorted, no times (in its own process: hepdata-validator leaves files open)."""
    docs = [("results/a/limit.json", counting_doc("A", 1, 0.3, 1.0)), ("results/b/limit.json", gaussian_doc("B", 0.5, 1.0))]
    (tmp_path / "docs.yaml").write_text(yaml.safe_dump([[path, limitfile.to_builtin(doc)] for path, doc in docs]))
    first, second = tmp_path / "one.tar.gz", tmp_path / "two.tar.gz"
    script = ("import sys, time, yaml; from dmcombine import hepdata; docs = [tuple(d) for d in yaml.safe_load(open(sys.argv[1]))]; "
              "n = hepdata.export(docs, sys.argv[2]); time.sleep(1.1); hepdata.export(docs, sys.argv[3]); print(n)")
    result = subprocess.run([str(VENV_BIN / "python"), "-W", "ignore", "-c", script, str(tmp_path / "docs.yaml"), str(first),
                             str(second)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "2", result.stdout + result.stderr
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members) and {m.mtime for m in members} == {0}
    assert "submission.yaml" in [m.name for m in members] and len(members) == 3
