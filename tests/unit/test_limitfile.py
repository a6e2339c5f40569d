"""The standard limit file: schema, writer, reader, CSV, and what the reader refuses."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dmcombine import limitfile
from dmcombine.errors import LimitFileError


def example(n: int = 3) -> dict:
    x = np.geomspace(20.0, 2000.0, n)
    return {
        "schema": limitfile.SCHEMA_ID,
        "experiment": "Toy",
        "analysis": "toy counting analysis",
        "references": [{"citation": "A. Author, Toy J. 1 (2026) 1", "arxiv": "2601.00001"}],
        "result": {"kind": "observed", "confidence_level": 0.9, "method": {"name": "poisson_counting_classical", "description": "toy"}},
        "model": {"name": "WIMP SI", "variant": "published", "assumptions": {"halo": {"rho_gev_cm3": 0.3}}},
        "parameter_of_interest": {"name": "sigma_si_nucleon", "unit": "cm^2", "label": "SI cross-section"},
        "x": {"name": "mass", "unit": "GeV", "label": "WIMP mass"},
        "limit": {"x": x, "value": 1e-44 * x / 100.0},
        "likelihood": {"type": "poisson_counting", "observed_events": 0, "expected_background_events": 0.1, "signal_per_poi": 2.3e44 / x},
        "provenance": {
            "inputs": [{"did": "dmcombine:toy.dat", "bytes": 1, "adler32": "00620062", "md5": "0cc175b9c0f1b6a831c399e269772661"}],
            "software": {"name": "dmcombine", "version": "0.1.0", "git_commit": "unknown"},
            "config_sha256": "0" * 64,
            "rule": "toy",
        },
    }


def test_schema_id_carries_the_version() -> None:
    assert limitfile.schema()["$id"] == "urn:dmcombine:schema:limit-file:1"
    assert limitfile.schema()["properties"]["schema"]["const"] == limitfile.SCHEMA_ID


def test_round_trip_is_exact_and_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    limitfile.write(path, example())
    first = path.read_bytes()
    back = limitfile.read(path)
    limitfile.write(path, back)
    assert path.read_bytes() == first
    assert back == limitfile.to_builtin(example())


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(min_value=1e-60, max_value=1e10, allow_nan=False, allow_infinity=False), min_size=1, max_size=30)
)
def test_round_trip_property(values: list[float]) -> None:
    doc = example(len(values))
    doc["limit"]["value"] = values
    text = limitfile.dumps(doc)
    assert limitfile.loads(text) == limitfile.to_builtin(doc)
    assert limitfile.dumps(limitfile.loads(text)) == text


def set_field(doc: dict, path: str, value: object) -> dict:
    """``doc`` with the field at ``path`` ("a/b/0") set to ``value``, to ``value(old)`` if it is a
    function, or deleted if ``value`` is KeyError."""
    *parents, leaf = path.split("/")
    node = doc
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    key = int(leaf) if isinstance(node, list) else leaf
    if value is KeyError:
        del node[key]
    else:
        node[key] = value(node[key]) if callable(value) else value
    return doc


def mutate(path: str, value: object) -> dict:
    return set_field(limitfile.to_builtin(example()), path, value)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("schema", "urn:dmcombine:schema:limit-file:4", "limit-file version 4; this dmcombine reads versions 1, 2, 3"),
        ("likelihood", KeyError, "'likelihood' is a required property"),
        ("limit/value", [1e-44, 2e-44], "/limit/value has 2 entries but /limit/x has 3"),
        ("likelihood/signal_per_poi", [1.0], "/likelihood/signal_per_poi has 1 entries but /limit/x has 3"),
        ("result/kind", "observd", "field /result/kind: 'observd' is not one of"),
        ("limit/x", [30.0, 20.0, 40.0], "/limit/x must be strictly increasing"),
        ("limit/value", [1e-44, -1.0, 2e-44], "field /limit/value/1: -1.0 is less than or equal to the minimum of 0"),
        ("x/unit", KeyError, "field /x: 'unit' is a required property"),
        ("provenance/config_sha256", "abc", "field /provenance/config_sha256"),
        ("experiment", 5, "field /experiment: 5 is not of type 'string'"),
    ],
)
def test_reader_rejects_invalid_files(tmp_path: Path, path: str, value: object, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(mutate(path, value)))
    with pytest.raises(LimitFileError) as info:
        limitfile.read(bad)
    assert str(bad) in str(info.value)
    assert message in str(info.value)


def test_reader_rejects_nan_and_non_json(tmp_path: Path) -> None:
    bad = tmp_path / "nan.json"
    bad.write_text(limitfile.dumps(example()).replace("0.1,", "NaN,", 1))
    with pytest.raises(LimitFileError, match="not valid JSON"):
        limitfile.read(bad)
    with pytest.raises(LimitFileError, match="no such limit file"):
        limitfile.read(tmp_path / "missing.json")


def test_writer_refuses_invalid_documents_and_writes_nothing(tmp_path: Path) -> None:
    doc = example()
    doc["limit"]["value"] = np.array([1e-44, np.nan, 1e-44])
    target = tmp_path / "out.json"
    with pytest.raises(LimitFileError, match="/limit/value/1 is nan"):
        limitfile.write(target, doc)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_writer_keeps_previous_file_when_new_document_is_invalid(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    limitfile.write(target, example())
    before = target.read_bytes()
    broken = copy.deepcopy(example())
    broken["result"]["kind"] = "guess"
    with pytest.raises(LimitFileError):
        limitfile.write(target, broken)
    assert target.read_bytes() == before


def test_csv_has_units_in_header() -> None:
    text = limitfile.to_csv(limitfile.to_builtin(example()))
    lines = text.splitlines()
    assert lines[0] == "mass [GeV],sigma_si_nucleon [cm^2]"
    assert len(lines) == 4 and lines[1].startswith("20.0,")


def profile_example(rows: int = 6, points: int = 8) -> dict:
    doc = example(rows)
    poi = [list(np.linspace(0.0, 1e-44, points)) for _ in range(rows)]
    dll = [list(np.linspace(0.0, 4.0, points) * (1 + i)) for i in range(rows)]
    doc["likelihood"] = {"type": "profile_table", "poi_values": poi, "delta_minus2lnl": dll}
    return limitfile.to_builtin(doc)


def test_a_table_of_numbers_validates_as_its_bounds() -> None:
    """A profile table (rows of numbers) is validated through its [[min, max]]: any row's
    negative entry is still found, with the path of the first offending number."""
    doc = profile_example()
    assert limitfile._skeleton(doc["likelihood"]["delta_minus2lnl"]) == [[0.0, 24.0]]
    limitfile.check(doc, "ok.json")
    doc["likelihood"]["delta_minus2lnl"][4][5] = -1.0
    with pytest.raises(LimitFileError, match=r"bad.json: field /likelihood.*-1.0"):
        limitfile.check(doc, "bad.json")
    short = profile_example()
    short["likelihood"]["poi_values"][2] = [0.0, 1.0]  # a short row: not collapsed, still checked
    short["likelihood"]["delta_minus2lnl"][2] = [0.0, 1.0]
    assert limitfile._skeleton(short["likelihood"]["poi_values"])[2] == [0.0, 1.0]
    limitfile.check(short, "short.json")


def test_a_number_beyond_the_float_range_is_refused_with_its_field(tmp_path: Path) -> None:
    bad = tmp_path / "inf.json"
    bad.write_text(limitfile.dumps(profile_example()).replace("[0.0, 0.5714", "[1e999, 0.5714", 1))
    with pytest.raises(LimitFileError, match=r"inf.json: not valid JSON.*field /likelihood/delta_minus2lnl/0/0 .*"
                                             "not a finite number"):
        limitfile.read(bad)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.floats(-1e3, 1e3, allow_nan=False), max_size=6), max_size=6))
def test_the_profile_rows_check_gives_the_row_by_row_verdict(rows: list) -> None:
    """All rows checked at once (limitfile._rows_not_increasing) name the row the row-by-row
    check names first, for sorted, unsorted, repeated and empty rows."""
    rows = [sorted(r) if i % 2 else r for i, r in enumerate(rows)]
    expected = next((i for i, row in enumerate(rows) if not limitfile._increasing(row)), None)
    assert limitfile._rows_not_increasing(rows, np.array([len(r) for r in rows], dtype=np.int64)) == expected


def test_the_first_faulty_profile_row_is_named_whatever_its_fault() -> None:
    """An unsorted row before a row of unequal lengths is named first, and a row with both faults
    by its lengths, as a row-by-row check would."""
    doc = limitfile.to_builtin(example(2))
    doc["likelihood"] = {"type": "profile_table", "poi_values": [[0.0, 2.0, 1.0], [0.0, 1.0]],
                         "delta_minus2lnl": [[0.0, 1.0, 2.0], [0.0]]}
    with pytest.raises(LimitFileError, match="row 0 of /likelihood/poi_values must be strictly increasing"):
        limitfile.check(doc)
    doc["likelihood"]["delta_minus2lnl"][0] = [0.0, 1.0]
    with pytest.raises(LimitFileError, match="row 0 of /likelihood/poi_values has 3 entries but /likelihood/delta_minus2lnl has 2"):
        limitfile.check(doc)
