"""The axion limits of C. A. J. O'Hare's AxionLimits (data/axion_context/): the shipped copies
match their catalogue entries, and the imports of config/imports.yaml turn them into limit files in
eV and GeV^-1 whose values are the file's (read off the files by eye). The compilation's
closed-region files (g = 1 closing rows, several g at one mass) are refused as they are and read
with ``outline`` (the lower edge of the region); CAST's placeholder row at m = 1e-30 eV is cut by
``x_range``. Hand-made tables whose answers are written down pin both options."""

from __future__ import annotations

import copy
from functools import lru_cache

import numpy as np
import pytest
import yaml

from dmcombine import imports, limitfile
from dmcombine.catalogue import Checksums, workflow_catalogue
from dmcombine.errors import ConfigError
from dmcombine.provenance import provenance_record

from ..conftest import REPO

SCOPE = "dmcombine:axion_context."
ORGAN_1A = ("axion_organ_1a_1", "axion_organ_1a_2", "axion_organ_1a_3", "axion_organ_1a_4")  # ORGAN-1a.txt's pieces
ORGAN_QUAX = ORGAN_1A + ("axion_organ_1b", "axion_organ_q", "axion_quax_twpa_2023", "axion_quax_lnf_2024")
HALOSCOPES = ("axion_admx_2010", "axion_capp_8tb", "axion_haystac_2018", "axion_haystac_2020", "axion_admx_2018",
              "axion_admx_2019_1", "axion_admx_2019_2", "axion_admx_2021", "axion_capp_double_cell") + ORGAN_QUAX
OUTLINES = ("axion_admx_2018", "axion_admx_2019_1", "axion_admx_2019_2", "axion_admx_2021", "axion_capp_double_cell",
            "axion_cast_2017") + ORGAN_QUAX  # read with outline (CAST and the ORGAN 1a pieces also with x_range)


@lru_cache(maxsize=1)
def _catalogue() -> dict:
    return {e.did: e for e in workflow_catalogue(REPO / "config/inputs.yaml") if e.did.startswith(SCOPE)}


@lru_cache(maxsize=1)
def _specs() -> dict:
    return yaml.safe_load((REPO / "config/imports.yaml").read_text(encoding="utf-8"))["imports"]


def _spec(name: str) -> dict:
    return copy.deepcopy(_specs()[name])


def _imported(name: str) -> dict:
    spec = _spec(name)
    entry = _catalogue()[spec["did"]]
    doc = imports.convert(spec, (REPO / entry.path).read_bytes(), entry.path, entry.provenance(), name)
    doc["provenance"] = provenance_record([entry.provenance()], {name: spec}, "test")
    limitfile.check(limitfile.loads(limitfile.dumps(doc)))
    return doc


def test_the_shipped_copies_match_the_catalogue() -> None:
    entries = _catalogue()
    shipped = ("ADMX", "CAPP-1", "HAYSTAC", "HAYSTAC_2020", "ADMX2018", "ADMX2019_1", "ADMX2019_2", "ADMX2021", "CAPP-2", "CAST",
               "ORGAN-1a", "ORGAN-1b", "ORGAN-Q", "QUAX4", "QUAX5")
    assert {e.path for e in entries.values()} >= {f"data/axion_context/{f}.txt" for f in shipped}
    for did, entry in entries.items():
        assert did == SCOPE + entry.path.rsplit("/", 1)[1].lower(), did  # DID name: the file name in lower case
        assert Checksums.of_file(REPO / entry.path) == entry.checksums, did
        assert "AxionLimits" in entry.origin and entry.licence.startswith("MIT"), did


def test_admx_2010_is_the_file_in_ev_and_per_gev() -> None:
    doc = _imported("axion_admx_2010")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    assert (doc["x"]["unit"], doc["parameter_of_interest"]["unit"]) == ("eV", "GeV^-1")
    assert len(x) == 27 and x[0] == pytest.approx(1.9289e-6, rel=1e-12) and x[-1] == pytest.approx(3.6354e-6, rel=1e-12)
    # ADMX.txt row "2.5554e-06  8.9293e-16", and half-way to the next row (2.5961e-06, 9.9248e-16)
    assert np.interp(2.5554e-6, x, g) == pytest.approx(8.9293e-16, rel=1e-9)
    assert np.interp(2.57575e-6, x, g) == pytest.approx(0.5 * (8.9293e-16 + 9.9248e-16), rel=1e-6)
    assert doc["result"]["confidence_level"] == 0.9 and doc["result"]["kind"] == "observed"
    assert doc["references"][0]["arxiv"] == "0910.5914"


def test_capp_8tb_is_the_file() -> None:
    doc = _imported("axion_capp_8tb")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    assert len(x) == 77 and 6.6e-6 < x[0] < x[-1] < 6.83e-6
    assert np.interp(6.7274e-6, x, g) == pytest.approx(1.1455e-14, rel=1e-3)  # the file's weakest point, by eye
    assert g.min() == pytest.approx(9.8951e-15, rel=1e-4)  # 6.815e-6 eV


def test_every_haloscope_import_is_a_plausible_coupling() -> None:
    for name in HALOSCOPES:
        doc = _imported(name)
        x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
        assert doc["publication"]["original_units"] == {"x": "eV", "value": "GeV^-1"}, name
        assert ((1e-16 < g) & (g < 1e-8)).all(), name  # no g = 1 closing row got in
        assert ((1e-7 < x) & (x < 1e-3)).all() and (np.diff(x) > 0).all(), name  # haloscope masses, 0.1 µeV .. 1 meV
        assert doc["model"]["assumptions"]["rho_gev_cm3"] == 0.45, name


def test_a_closed_region_file_is_refused_even_with_reorder_rows() -> None:
    """AxionLimits' filled regions (ADMX2018.txt, ADMX2019_*.txt, ADMX2021.txt, CAPP-2/3.txt) open and
    close with a g = 1 row at the first and last mass, and repeat masses (a spike traced by several
    g): without ``outline``, x is not strictly increasing, and sorting keeps the equal masses (the
    first rows of ADMX2018.txt)."""
    spec = _spec("axion_admx_2010")
    rows = (b"# ADMX 2018 nearly DFSZ run\n# m_a [eV]  g_ap [GeV^-1]\n0.000002667590909090909\t1e0\n"
            b"0.000002667590909090909\t3.628501628648435e-16\n0.0000026680310344827586\t3.8986259755056506e-16\n")
    for reorder in (False, True):
        with pytest.raises(imports.PublishedCurveError, match="does not increase"):
            imports.convert({**spec, "reorder_rows": reorder}, rows, "ADMX2018.txt", {}, "admx_2018")


# A hand-made outline: a closing row at g = 1 at each end, three g at 2 µeV, two at 4 µeV (one of
# them the closing row), and a row out of order (3 µeV after 4 µeV). Its lower edge, by hand:
# 1 µeV: 5e-16; 2 µeV: 3e-16 (of 4, 3, 6); 3 µeV: 2e-16; 4 µeV: 7e-16 (the g = 1 row dropped).
# Dropped: 2 rows (the two g = 1); masses with several values after that: 1 (2 µeV); 8 rows -> 4.
OUTLINE = (b"# m_a [eV]  g [GeV^-1]\n1e-6 1\n1e-6 5e-16\n2e-6 4e-16\n2e-6 3e-16\n2e-6 6e-16\n"
           b"4e-6 7e-16\n3e-6 2e-16\n4e-6 1\n")


def test_outline_drops_the_closing_rows_and_keeps_the_smallest_value_per_mass() -> None:
    doc = imports.convert({**_spec("axion_admx_2010"), "outline": {"drop_at_or_above": 1.0}}, OUTLINE, "toy.txt", {}, "toy")
    assert doc["limit"]["x"] == pytest.approx([1e-6, 2e-6, 3e-6, 4e-6], rel=1e-12)
    assert doc["limit"]["value"] == pytest.approx([5e-16, 3e-16, 2e-16, 7e-16], rel=1e-12)
    (note,) = doc["publication"]["notes"]
    assert "outline (drop_at_or_above: 1)" in note and "2 data row(s) with a value >= 1" in note
    assert "1 mass(es) had several values" in note and "8 data rows -> 4" in note and "1 row(s) were out of order" in note
    # a threshold below a value drops it too: 6e-16 and 7e-16 go, so 4 µeV has no value left
    low = imports.convert({**_spec("axion_admx_2010"), "outline": {"drop_at_or_above": 6e-16}}, OUTLINE, "toy.txt", {}, "toy")
    assert low["limit"]["x"] == pytest.approx([1e-6, 2e-6, 3e-6], rel=1e-12)
    assert low["limit"]["value"] == pytest.approx([5e-16, 3e-16, 2e-16], rel=1e-12)


CASTLIKE = b"# CAST-like: a placeholder row first\n1e-30 6.6e-11\n1e-4 6.6e-11\n1e-2 6.7e-11\n0.5 2e-10\n2.0 4e-10\n"


def test_x_range_cuts_the_rows_outside() -> None:
    rows = CASTLIKE
    doc = imports.convert({**_spec("axion_admx_2010"), "x_range": [1e-12, 1.0]}, rows, "toy.txt", {}, "toy")
    assert doc["limit"]["x"] == pytest.approx([1e-4, 1e-2, 0.5], rel=1e-12)
    assert doc["limit"]["value"] == pytest.approx([6.6e-11, 6.7e-11, 2e-10], rel=1e-12)
    assert doc["publication"]["notes"] == ["x_range [1e-12, 1] (the file's x units): 2 data row(s) outside dropped (x = 1e-30, 2)"]
    with pytest.raises(imports.PublishedCurveError, match="does not increase"):  # the order is still checked
        imports.convert({**_spec("axion_admx_2010"), "x_range": [1e-12, 1.0]}, rows + b"0.3 1e-10\n", "toy.txt", {}, "toy")


def test_fewer_than_two_rows_left_is_refused_naming_the_field() -> None:
    spec = _spec("axion_admx_2010")
    # below 3e-16 (at or above is dropped) only 2e-16 at 3 µeV is left: one mass
    with pytest.raises(ConfigError, match=r"imports\.toy\.outline: .* leave 1 of 8 data row"):
        imports.convert({**spec, "outline": {"drop_at_or_above": 3e-16}}, OUTLINE, "toy.txt", {}, "toy")
    with pytest.raises(ConfigError, match=r"imports\.toy\.x_range: \[1e-12, 0\.001\] leaves 1 of 5 data row"):
        imports.convert({**spec, "x_range": [1e-12, 1e-3]}, CASTLIKE, "toy.txt", {}, "toy")  # only 1e-4 eV
    with pytest.raises(ConfigError, match=r"imports\.toy\.x_range: .*expected 0 < LOW < HIGH"):
        imports.convert({**spec, "x_range": [1.0, 1e-12]}, OUTLINE, "toy.txt", {}, "toy")


def test_admx_2018_is_the_lower_edge_of_the_file() -> None:
    doc = _imported("axion_admx_2018")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    assert len(x) == 102 and g.max() < 1e-15  # 147 rows, the two g = 1 rows gone, one row per mass
    # ADMX2018.txt line 4, after the g = 1 line 3 at the same mass: "0.000002667590909090909  3.628501628648435e-16"
    assert (x[0], g[0]) == (pytest.approx(2.66759e-6, rel=1e-5), pytest.approx(3.6285e-16, rel=1e-4))
    # four g at 2.70928 µeV (3.209, 3.050, 2.899, 2.755 e-16): the smallest is the limit
    assert np.interp(2.7092758620689654e-6, x, g) == pytest.approx(2.7548e-16, rel=1e-4)
    assert np.interp(2.695310344827586e-6, x, g) == pytest.approx(3.5282e-16, rel=1e-4)  # a single row
    assert doc["result"]["confidence_level"] == 0.9 and doc["references"][0]["arxiv"] == "1804.05750"


def test_cast_starts_at_its_first_real_mass_and_is_flat_at_low_mass() -> None:
    doc = _imported("axion_cast_2017")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    # no 1e-30 eV row, and x_range [1e-12, 0.02] eV keeps the vacuum-run limit only
    assert x[0] == pytest.approx(1.1441e-4, rel=1e-4) and 0.015 < x[-1] <= 0.02
    # CAST.txt rows "0.0009716...  6.6454e-11" and "0.0010549...  6.6460e-11": 6.6e-11 GeV^-1 at 1 meV, by eye
    assert np.interp(1e-3, x, g) == pytest.approx(6.6456e-11, rel=1e-3)
    assert ((6.6e-11 < g) & (g < 6.7e-11))[x < 6e-3].all()  # the flat vacuum-phase limit
    assert doc["result"]["confidence_level"] == 0.95 and doc["references"][0]["arxiv"] == "1705.02290"
    assert "rho_gev_cm3" not in doc["model"]["assumptions"]  # a helioscope: solar axions


def test_every_outline_import_says_so() -> None:
    for name in OUTLINES:
        notes = _imported(name)["publication"]["notes"]
        assert any(n.startswith("outline (drop_at_or_above: ") for n in notes), name
        assert ("x_range" in _spec(name)) == any(n.startswith("x_range [") for n in notes), name


def test_organ_1a_is_its_four_scanned_pieces_never_the_gaps() -> None:
    """ORGAN-1a.txt closes its region with g = 1 rows at 64.43/64.61, 64.76/64.95 and 66.03/66.84 µeV
    (unscanned gaps): each import is one piece (x_range inside the gaps, then outline), so no limit
    file claims a limit in a gap."""
    pieces = [_imported(name) for name in ORGAN_1A]
    xs = [np.array(doc["limit"]["x"]) for doc in pieces]
    assert [len(x) for x in xs] == [40, 8, 63, 12]  # 42, 10, 65, 14 rows, the two g = 1 rows of each gone
    assert all(a[-1] < b[0] for a, b in zip(xs, xs[1:]))  # disjoint, in mass order
    for gap in (64.5e-6, 64.85e-6, 66.4e-6):  # inside the three gaps: no piece covers it
        assert not any(x[0] <= gap <= x[-1] for x in xs), gap
    assert xs[0][0] == pytest.approx(63.2545e-6, rel=1e-5) and xs[-1][-1] == pytest.approx(67.1394e-6, rel=1e-5)
    values = [np.array(doc["limit"]["value"]) for doc in pieces]
    # ORGAN-1a.txt rows, by eye: "0.00006341575810399821  2.854952397451007e-12" (piece 1),
    # "0.00006469631444254877  1.931552115130048e-12" (piece 2), the file's lowest
    # "0.00006598762354424745  1.1378452122808287e-12" (piece 3), "0.00006685566478747867  1.6193805432728818e-12" (piece 4)
    assert np.interp(6.341575810399821e-5, xs[0], values[0]) == pytest.approx(2.8550e-12, rel=1e-4)
    assert np.interp(6.469631444254877e-5, xs[1], values[1]) == pytest.approx(1.9316e-12, rel=1e-4)
    assert values[2].min() == pytest.approx(1.1378e-12, rel=1e-4)
    assert np.interp(6.685566478747867e-5, xs[3], values[3]) == pytest.approx(1.6194e-12, rel=1e-4)
    for doc in pieces:
        assert doc["result"]["confidence_level"] == 0.95 and doc["references"][0]["arxiv"] == "2203.12152"


def test_organ_1b_and_organ_q_are_the_lower_edges_of_their_files() -> None:
    doc = _imported("axion_organ_1b")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    assert len(x) == 53 and g.max() < 1e-11  # 55 rows, the two g = 1 rows gone
    # ORGAN-1b.txt's lowest row, by eye: "0.00011096795396661685  3.9497672075328435e-12"
    assert np.interp(1.1096795396661685e-4, x, g) == pytest.approx(3.9498e-12, rel=1e-4) == g.min()
    assert doc["result"]["confidence_level"] == 0.95 and doc["references"][0]["arxiv"] == "2310.00904"
    doc = _imported("axion_organ_q")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    assert len(x) == 265 and 25.45e-6 < x[0] < x[-1] < 26.27e-6
    # ORGAN-Q.txt row, by eye: "0.000025590372634979236  2.2327477663079044e-13" (its lowest)
    assert np.interp(2.5590372634979236e-5, x, g) == pytest.approx(2.2327e-13, rel=1e-4)
    assert doc["result"]["confidence_level"] == 0.95 and doc["references"][0]["arxiv"] == "2407.18586"


def test_the_quax_scans_are_the_lower_edges_of_their_files() -> None:
    doc = _imported("axion_quax_twpa_2023")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    assert len(x) == 32 and 42.8178e-6 < x[0] < x[-1] < 42.8194e-6  # 34 rows, a scan 1.4 neV wide
    # QUAX4.txt row, by eye: "0.00004281836832543444  2.09158143064989e-14" (its lowest)
    assert np.interp(4.281836832543444e-5, x, g) == pytest.approx(2.0916e-14, rel=1e-4)
    assert doc["references"][0]["arxiv"] == "2304.07505"
    doc = _imported("axion_quax_lnf_2024")
    x, g = np.array(doc["limit"]["x"]), np.array(doc["limit"]["value"])
    assert len(x) == 149 and 36.524e-6 < x[0] < x[-1] < 36.552e-6
    # QUAX5.txt row, by eye: "3.653827870459038651e-05 8.610934949699999882e-14" (its lowest)
    assert np.interp(3.653827870459038651e-5, x, g) == pytest.approx(8.6109e-14, rel=1e-4)
    assert doc["result"]["confidence_level"] == 0.9 and doc["references"][0]["arxiv"] == "2402.19063"
