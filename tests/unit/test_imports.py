"""Published curves as limit files (version 2): readers, units, the DMbounds confidence trap,
a HEPData round trip, and every version-1 file still read."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dmcombine import imports, limitfile
from dmcombine.errors import ConfigError, InputFormatError
from dmcombine.provenance import provenance_record

from ..conftest import REPO

RECORD = {"did": "dmcombine:test.txt", "bytes": 1, "adler32": "00000001", "md5": "0" * 32}
SPEC = {"format": "text", "plane": "si", "kind": "observed", "experiment": "Toy", "analysis": "a test curve",
        "label": "Toy 2026", "digitised_by": "a test", "licence": "CC0", "layer": "test", "confidence_level": 0.9,
        "units": {"x": "TeV", "value": "pb"}, "references": [{"citation": "Toy Collaboration (2026)"}]}


def _finish(doc: dict) -> dict:
    doc["provenance"] = provenance_record([RECORD], {}, "test")
    limitfile.check(limitfile.loads(limitfile.dumps(doc)))
    return doc


def test_a_text_table_in_tev_and_pb_becomes_gev_and_cm2() -> None:
    doc = _finish(imports.convert(SPEC, b"# m [TeV] sigma [pb]\n0.01, 1e-9\n0.1 2e-10\n", "toy.txt", RECORD, "toy"))
    assert doc["limit"]["x"] == [10.0, 100.0]
    assert doc["limit"]["value"] == pytest.approx([1e-45, 2e-46], rel=1e-12)  # 1 pb = 1e-36 cm^2
    assert doc["result"]["method"]["name"] == "published" and doc["likelihood"]["type"] == "not_available"
    assert doc["publication"]["original_units"] == {"x": "TeV", "value": "pb"}
    assert limitfile.version_of(doc) == 2 and limitfile.is_published(doc)


def test_the_dmbounds_confidence_line_is_recovered_and_said() -> None:
    data = (REPO / "data/id_context/hess_2022_gc_ann_WW.ecsv").read_bytes()
    assert b'{confidence        "0.95"}' in data  # the published file's missing colon
    spec = {k: v for k, v in SPEC.items() if k not in ("units", "confidence_level", "references")}
    doc = _finish(imports.convert({**spec, "plane": "sigmav", "format": "ecsv"}, data, "hess.ecsv", RECORD, "hess"))
    assert doc["result"]["confidence_level"] == 0.95
    assert any("lacks its colon" in note for note in doc["publication"]["notes"])
    assert doc["model"]["assumptions"]["channel"] == "ww"  # WW in the file
    assert doc["limit"]["x"][0] == pytest.approx(196.386)  # 1.96386e-1 TeV, exactly as written
    assert doc["references"][0]["arxiv"] == "2207.10471" and doc["publication"]["figure"] == "Fig. 1"


def test_a_confidence_level_that_contradicts_the_file_is_refused() -> None:
    data = (REPO / "data/id_context/hess_2022_gc_ann_WW.ecsv").read_bytes()
    spec = {**{k: v for k, v in SPEC.items() if k != "units"}, "plane": "sigmav", "format": "ecsv"}
    with pytest.raises(ConfigError, match="confidence_level: 0.9 but hess.ecsv says 0.95"):
        imports.convert(spec, data, "hess.ecsv", RECORD, "hess")


def test_hepdata_round_trip() -> None:
    """A limit file exported as a HEPData table and imported back gives the same curve."""
    doc = _finish(imports.convert(SPEC, b"10 1e-9\n100 2e-10\n1000 3e-10\n", "toy.txt", RECORD, "toy"))
    table = imports.hepdata_table(doc).encode()
    spec = {k: v for k, v in SPEC.items() if k not in ("units", "confidence_level")}
    back = _finish(imports.convert({**spec, "format": "hepdata"}, table, "toy.yaml", RECORD, "toy"))
    assert back["limit"] == doc["limit"] and back["result"]["confidence_level"] == 0.9


def _emitted(doc: dict) -> str:
    """The table as the emitter writes it whole (what hepdata_table must equal)."""
    from dmcombine.planning.strict import dumps_yaml

    text = imports.hepdata_table({**doc, "limit": {"x": ["x"], "value": ["v"]}})  # strings: the emitter's path
    table = yaml.safe_load(text)
    table["independent_variables"][0]["values"] = [{"value": v} for v in doc["limit"]["x"]]
    table["dependent_variables"][0]["values"] = [{"value": v} for v in doc["limit"]["value"]]
    return dumps_yaml(table, sort_keys=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**20, 10**20)),
                min_size=1, max_size=8))
def test_hepdata_table_numbers_are_written_as_the_emitter_writes_them(numbers: list) -> None:
    doc = _finish(imports.convert(SPEC, b"10 1e-9\n100 2e-10\n", "toy.txt", RECORD, "toy"))
    doc = {**doc, "limit": {"x": numbers, "value": numbers[::-1]}}
    assert imports.hepdata_table(doc) == _emitted(doc)


def test_hepdata_table_of_every_shipped_kind_of_number() -> None:
    doc = _finish(imports.convert(SPEC, b"10 1e-9\n100 2e-10\n", "toy.txt", RECORD, "toy"))
    for x, value in (([1e-45, 3, -0.0, 1e22, 12345678901234567890.0, 5e-324], [0.1, 2.0, 1e16, 1e15, 7, 1.5e300]),
                     ([True, 2.0], [1.0, 2.0]), ([1.0, 10**400], [1.0, 2.0])):
        doc = {**doc, "limit": {"x": x, "value": value}}
        assert imports.hepdata_table(doc) == _emitted(doc)


def test_rows_out_of_order_only_sorted_when_asked() -> None:
    table = b"10 1e-9\n1000 3e-10\n100 2e-10\n"
    with pytest.raises(InputFormatError, match="data row 3: x 100 does not increase"):
        imports.convert(SPEC, table, "toy.txt", RECORD, "toy")
    doc = _finish(imports.convert({**SPEC, "reorder_rows": True}, table, "toy.txt", RECORD, "toy"))
    assert doc["limit"]["x"] == [1e4, 1e5, 1e6] and "out of order" in doc["publication"]["notes"][0]


def test_every_version_1_file_still_reads_and_a_published_file_is_version_2(tmp_path) -> None:
    from ..unit.test_combination import gaussian_doc

    v1 = gaussian_doc("A", 0.0, 1.0)
    assert limitfile.version_of(v1) == 1
    limitfile.write(tmp_path / "v1.json", v1)
    assert limitfile.read(tmp_path / "v1.json") == v1
    published = _finish(imports.convert(SPEC, b"10 1e-9\n100 2e-10\n", "toy.txt", RECORD, "toy"))
    published["schema"] = limitfile.SCHEMA_ID  # version 1 has no publication block
    with pytest.raises(limitfile.LimitFileError, match="publication"):
        limitfile.check(published, "v1-with-publication.json")


def test_the_shipped_imports_all_convert() -> None:
    """Every import of config/imports.yaml reads its shipped file (the units of the DMbounds files
    differ: some TeV, some GeV; the file's header says which)."""
    import yaml

    from dmcombine.catalogue import workflow_catalogue

    catalogue = {e.did: e for e in workflow_catalogue(REPO / "config/inputs.yaml")}
    specs = yaml.safe_load((REPO / "config/imports.yaml").read_text())["imports"]
    masses = {}
    for name, spec in specs.items():
        entry = catalogue[spec["did"]]
        doc = _finish(imports.convert(spec, (REPO / entry.path).read_bytes(), entry.path, entry.provenance(), name))
        masses[name] = doc["limit"]["x"][0]
    assert len(specs) == 53  # 18 <sigma v>, 9 SD, 8 SI, 18 axion (the summary plots read only limit files)
    assert masses["cta_2021_gc_bb"] == pytest.approx(50.264, rel=1e-4)  # GeV in the file
    assert masses["hawc_2018_multidsph_bb"] == pytest.approx(1001.78, rel=1e-4)  # TeV in the file


def test_the_hepdata_record_table_shipped_for_atlas_is_read_with_its_units() -> None:
    """The JSON record table hepdata.net serves (headers with [units], values by group)."""
    data = (REPO / "data/atlas_dilepton/hepdata_88425_t4_observed_xseclimits_atlas139ifb.json").read_bytes()
    x, y, meta = imports.read_hepdata(data, "t4.json", dependent=0)
    assert meta["units"] == ["GeV", "pb"] and meta["qualifiers"]["CL"] == "95%"
    assert x[0] == 250.0 and y[0] == pytest.approx(3.57303)  # the first row of HEPData table 4
    _, wide, _ = imports.read_hepdata(data, "t4.json", dependent=5)  # the 10% width column
    assert wide[0] == pytest.approx(13.0839)
