"""Published curves as standard limit files (version 2, result method "published").

A published curve (a digitised figure, a collaboration's data table) becomes a limit file that
says what it is: kind (observed, expected, projected, discovery), confidence level, method
"published" (never passed off as recomputed), the references, who digitised it, the figure or
table, its licence, the format and units it came in, and its input by DID and checksums. Units are
converted to the plane's (TeV -> GeV, pb -> cm², ...). The limit file has no likelihood
(``not_available``): published curves are drawn, never combined.

Readers:

- ``text`` / ``csv``: two numeric columns (white space or commas, ``#`` comments), units declared
  in the import's ``units``;
- ``ecsv``: astropy's ECSV with metadata (M. Hütten's DMbounds files): units from the column
  header, reference, DOI, arXiv, figure, channel and confidence level from the metadata. The
  DMbounds line ``{confidence        "0.95"}`` lacks its colon in every file: astropy then keeps a
  key ``confidence        "0.95"`` with no value; the level is recovered from that line and the
  file's ``publication.notes`` say so (never a silent default);
- ``hepdata``: one HEPData table (YAML or JSON, ``independent_variables`` and
  ``dependent_variables``, as hepdata_lib writes and HEPData serves), units from its headers.

Two optional fields reshape a file before its units are converted, each said in the limit file's
``publication.notes``:

- ``x_range: [LOW, HIGH]`` (the file's x units): rows outside are dropped (a placeholder row, e.g.
  the m = 1e-30 eV row AxionLimits' ``CAST.txt`` opens with so that its filled region reaches the
  plot's edge);
- ``outline: {drop_at_or_above: V}``: the file traces the outline of an excluded region (a filled
  region of AxionLimits: closing rows at g = 1, several g at one mass where a scan spikes). Rows
  whose value is >= V (the file's value units) are dropped, then at each x only the smallest value
  is kept (the region's lower edge, which is the limit), rows sorted by x.

Every check names the file (or the import's config key), the line or field and what was expected:
unknown or unconvertible units, x not strictly increasing, NaN, non-positive values, no reference,
a malformed header, an unknown plane, fewer than two rows left by ``x_range`` or ``outline``.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import yaml

from dmcombine.errors import ConfigError, InputFormatError
from dmcombine.limitfile import PUBLISHED_VERSION, SCHEMA_PREFIX
from dmcombine.planes import PLANES
from dmcombine.planning.strict import dumps_yaml

# The quantities of each plane an import can target: x (name, label) and the parameter (label).
QUANTITIES = {
    "si": ("dm_mass", "WIMP mass", "SI WIMP-nucleon cross-section"),
    "sd": ("dm_mass", "WIMP mass", "SD WIMP-nucleon cross-section"),
    "sigmav": ("dm_mass", "dark-matter mass", "velocity-averaged annihilation cross-section"),
    "axion": ("axion_mass", "axion mass m_a", "axion-photon coupling |g_a gamma gamma|"),
}
# Accepted unit spellings and their factor to the plane's unit. Written out rather than parsed:
# in general-purpose unit parsers "pb" is a picobit, not a picobarn.
UNITS = {
    "GeV": {"GeV": 1.0, "TeV": 1e3, "MeV": 1e-3, "keV": 1e-6, "eV": 1e-9},
    "eV": {"eV": 1.0, "meV": 1e-3, "ueV": 1e-6, "µeV": 1e-6, "μeV": 1e-6, "neV": 1e-9, "GeV": 1e9},
    "cm^2": {"cm^2": 1.0, "cm2": 1.0, "pb": 1e-36, "fb": 1e-39, "ab": 1e-42, "zb": 1e-45, "yb": 1e-48},
    "cm^3/s": {"cm^3/s": 1.0, "cm3/s": 1.0, "cm3s-1": 1.0, "cm3 s-1": 1.0, "cm^3 s^-1": 1.0},
    "GeV^-1": {"GeV^-1": 1.0, "GeV-1": 1.0, "1/GeV": 1.0},
}
# Channel spellings of published files -> ours.
CHANNELS = {"ww": "ww", "bb": "bb", "tautau": "tautau", "mumu": "mumu", "ee": "ee", "zz": "zz", "hh": "hh",
            "tt": "tt", "gg": "gg", "cc": "cc", "nunu": "nunu", "tau": "tautau", "mu": "mumu", "b": "bb", "w": "ww"}
_CONFIDENCE_LINE = re.compile(r'^#\s*-\s*\{confidence\s+"([0-9.eE+-]+)"\s*\}\s*$', re.MULTILINE)


class PublishedCurveError(InputFormatError):
    """A published curve could not be imported."""


def factor(unit: str, target: str, where: str) -> float:
    """The factor from ``unit`` to the plane's ``target`` unit."""
    table = UNITS[target]
    if unit not in table:
        raise ConfigError(f"{where}: unit {unit!r} is not a unit of {target}; accepted: {', '.join(table)}")
    return table[unit]


def reorder(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows sorted by x (only where an import says ``reorder_rows: true``), with a note naming the
    rows that were out of order; equal x values stay an error."""
    order = np.argsort(x, kind="stable")
    moved = np.flatnonzero(order != np.arange(len(x)))
    notes = [f"data rows {', '.join(str(i + 1) for i in moved[:8])} of the file were out of order in x; "
             "sorted by x (reorder_rows: true)"] if len(moved) else []
    return x[order], y[order], notes


def cut_x_range(x: np.ndarray, y: np.ndarray, bounds: Any, where: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The rows with LOW <= x <= HIGH (``x_range``, in the file's x units), with a note naming what
    was dropped; fewer than two rows left is refused (a ConfigError naming ``<where>.x_range``)."""
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}.x_range: {bounds!r} is not [LOW, HIGH] (two numbers, the file's x units)") from None
    if not 0 < low < high:
        raise ConfigError(f"{where}.x_range: [{low:g}, {high:g}]: expected 0 < LOW < HIGH (the file's x units)")
    inside = (x >= low) & (x <= high)
    if inside.sum() < 2:
        raise ConfigError(f"{where}.x_range: [{low:g}, {high:g}] leaves {int(inside.sum())} of {len(x)} data row(s); "
                          "a curve needs at least 2")
    out = np.flatnonzero(~inside)
    shown = ", ".join(f"{x[i]:g}" for i in out[:6]) + (", ..." if len(out) > 6 else "")
    notes = [f"x_range [{low:g}, {high:g}] (the file's x units): {len(out)} data row(s) outside dropped"
             + (f" (x = {shown})" if len(out) else "")]
    return x[inside], y[inside], notes


def lower_edge(x: np.ndarray, y: np.ndarray, spec: Any, where: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The lower edge of an excluded region traced as an outline (``outline: {drop_at_or_above: V}``):
    rows whose value is >= V (the rows closing the polygon) dropped, then the smallest value at each
    x kept, rows sorted by x; with a note saying how many rows went and why. Fewer than two rows
    left is refused (a ConfigError naming ``<where>.outline``)."""
    if not isinstance(spec, dict) or set(spec) != {"drop_at_or_above"}:
        raise ConfigError(f"{where}.outline: {spec!r}: expected {{drop_at_or_above: NUMBER}} (the file's value units)")
    try:
        threshold = float(spec["drop_at_or_above"])
    except (TypeError, ValueError):
        raise ConfigError(f"{where}.outline.drop_at_or_above: {spec['drop_at_or_above']!r} is not a number") from None
    if not threshold > 0:
        raise ConfigError(f"{where}.outline.drop_at_or_above: {threshold:g}: expected a value > 0 (the file's value units)")
    rows = len(x)
    below = y < threshold
    dropped = rows - int(below.sum())
    back = int((np.diff(x[below]) < 0).sum())
    x, y = x[below], y[below]
    order = np.lexsort((y, x))  # by x, then by value: the first row of each mass has its smallest value
    x, y = x[order], y[order]
    first = np.ones(len(x), dtype=bool)
    first[1:] = np.diff(x) != 0
    counts = np.diff(np.append(np.flatnonzero(first), len(x)))
    several = int((counts > 1).sum())
    x, y = x[first], y[first]
    if len(x) < 2:
        raise ConfigError(f"{where}.outline: drop_at_or_above {threshold:g} and one value per mass leave {len(x)} of {rows} "
                          "data row(s); a curve needs at least 2 masses")
    notes = [f"outline (drop_at_or_above: {threshold:g}): the file traces the outline of an excluded region; "
             f"{dropped} data row(s) with a value >= {threshold:g} (the file's value units) dropped (the rows closing the region), "
             f"{several} mass(es) had several values and only the smallest was kept (the region's lower edge, the limit): "
             f"{rows} data rows -> {len(x)}, sorted by x"
             + (f" ({back} row(s) were out of order in x)" if back else "")]
    return x, y, notes


def _check_curve(x: np.ndarray, y: np.ndarray, source: str, first_line: int = 1, ordered: bool = True) -> None:
    if len(x) < 2:
        raise PublishedCurveError(f"{source}: {len(x)} data row(s); a curve needs at least 2")
    for name, values in (("x", x), ("value", y)):
        bad = np.flatnonzero(~np.isfinite(values))
        if len(bad):
            raise PublishedCurveError(f"{source}: data row {first_line + int(bad[0])}: {name} is {values[bad[0]]}, expected a finite number")
    bad = np.flatnonzero(y <= 0)
    if len(bad):
        raise PublishedCurveError(f"{source}: data row {first_line + int(bad[0])}: value {y[bad[0]]:g} is not positive "
                           "(a cross-section, coupling or rate limit is > 0)")
    bad = np.flatnonzero(x <= 0)
    if len(bad):
        raise PublishedCurveError(f"{source}: data row {first_line + int(bad[0])}: x {x[bad[0]]:g} is not positive (a mass is > 0)")
    if ordered:
        check_increasing(x, source, first_line)


def check_increasing(x: np.ndarray, source: str, first_line: int = 1) -> None:
    back = np.flatnonzero(np.diff(x) <= 0)
    if len(back):
        i = int(back[0]) + 1
        raise PublishedCurveError(f"{source}: data row {first_line + i}: x {x[i]:g} does not increase (after {x[i - 1]:g}); "
                           "expected x strictly increasing")


def read_text(data: bytes, source: str, ordered: bool = True) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Two numeric columns: white space or commas, '#' comments."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PublishedCurveError(f"{source}: not UTF-8 text ({exc})") from None
    xs, ys, first = [], [], None
    for number, line in enumerate(text.splitlines(), start=1):
        body = line.split("#", 1)[0].strip()
        if not body:
            continue
        fields = [f for f in re.split(r"[,\s]+", body) if f]
        try:
            values = [float(f) for f in fields]
        except ValueError:
            raise PublishedCurveError(f"{source}: line {number}: {body[:60]!r} is not two numbers (a header must start with '#')") from None
        if len(values) != 2:
            raise PublishedCurveError(f"{source}: line {number}: {len(values)} columns, expected 2 (x, value)")
        first = first or number
        xs.append(values[0])
        ys.append(values[1])
    x, y = np.array(xs), np.array(ys)
    _check_curve(x, y, source, first or 1, ordered)
    return x, y, {}


def read_ecsv(data: bytes, source: str, ordered: bool = True) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """An ECSV table with two columns (mass, limit) and metadata (DMbounds)."""
    from astropy.table import Table

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PublishedCurveError(f"{source}: not UTF-8 text ({exc})") from None
    if not text.startswith("# %ECSV"):
        raise PublishedCurveError(f"{source}: line 1: expected an ECSV header '# %ECSV <version>'")
    try:
        table = Table.read(text, format="ascii.ecsv")
    except Exception as exc:  # astropy raises many kinds for a bad header
        raise PublishedCurveError(f"{source}: malformed ECSV header: {str(exc).splitlines()[0]}") from None
    if len(table.columns) != 2:
        raise PublishedCurveError(f"{source}: {len(table.columns)} columns, expected 2 (mass, limit)")
    meta = {str(k): v for k, v in table.meta.items() if v is not None}
    notes = []
    if "confidence" not in meta:
        match = _CONFIDENCE_LINE.search(text)
        if match:
            meta["confidence"] = match.group(1)
            notes.append(f'the header line {{confidence "{match.group(1)}"}} lacks its colon; '
                         f"the confidence level {match.group(1)} was read from it")
    columns = list(table.columns.values())
    units = [str(c.unit) if c.unit is not None else "" for c in columns]
    raw_units = re.findall(r"\{name:\s*\w+\s*,\s*unit:\s*([^,\s]+)", text)  # as the file spells them
    meta["units"] = raw_units if len(raw_units) == 2 else units
    meta["notes"] = notes
    # float32 columns: through their shortest decimal form, as the file writes them (no 0.19638599 for 0.196386)
    x = np.array([float(str(v)) for v in columns[0]], dtype=float)
    y = np.array([float(str(v)) for v in columns[1]], dtype=float)
    first = next(i for i, line in enumerate(text.splitlines(), start=1) if line.strip() and not line.startswith("#")) + 1
    _check_curve(x, y, source, first, ordered)
    return x, y, meta


def read_hepdata(data: bytes, source: str, dependent: int = 0, ordered: bool = True) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """One HEPData table (YAML or JSON): the first independent variable and one dependent one."""
    try:
        doc = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PublishedCurveError(f"{source}: not a HEPData table (YAML or JSON): {str(exc).splitlines()[0]}") from None
    if isinstance(doc, dict) and "values" in doc and "headers" in doc:
        return _read_hepdata_record(doc, source, dependent, ordered)
    if not isinstance(doc, dict) or "independent_variables" not in doc or "dependent_variables" not in doc:
        raise PublishedCurveError(f"{source}: not a HEPData table: expected 'independent_variables' and 'dependent_variables'"
                           " (a submission table) or 'headers' and 'values' (a record table as the HEPData site serves it)")
    try:
        xvar = doc["independent_variables"][0]
        yvar = doc["dependent_variables"][dependent]
        x = np.array([v["value"] if "value" in v else math.sqrt(v["low"] * v["high"]) for v in xvar["values"]], float)
        y = np.array([v["value"] for v in yvar["values"]], float)
        units = [str(xvar["header"].get("units", "")), str(yvar["header"].get("units", ""))]
    except (IndexError, KeyError, TypeError, ValueError) as exc:
        raise PublishedCurveError(f"{source}: malformed HEPData table (dependent variable {dependent}): {exc!r}") from None
    if len(x) != len(y):
        raise PublishedCurveError(f"{source}: {len(x)} x values but {len(y)} values of dependent variable {dependent}")
    qualifiers = {q.get("name"): q.get("value") for q in yvar.get("qualifiers", []) if isinstance(q, dict)}
    _check_curve(x, y, source, 1, ordered)
    return x, y, {"units": units, "qualifiers": qualifiers, "description": doc.get("description", ""), "notes": []}


_HEADER_UNIT = re.compile(r"^(.*?)\s*\[([^\]]+)\]\s*$")


def _read_hepdata_record(doc: dict[str, Any], source: str, dependent: int, ordered: bool
                         ) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """A record table as hepdata.net serves it in JSON: ``headers`` (names with [units]) and
    ``values`` (x and one y per dependent column, by ``group``), e.g. the ATLAS table shipped in
    data/atlas_dilepton/."""
    try:
        headers = [h["name"] for h in doc["headers"]]
        x = np.array([float(v["x"][0]["value"]) for v in doc["values"]])
        y = np.array([float(next(e for e in v["y"] if e.get("group", 0) == dependent)["value"]) for v in doc["values"]])
    except (KeyError, IndexError, TypeError, ValueError, StopIteration) as exc:
        raise PublishedCurveError(f"{source}: malformed HEPData record table (dependent variable {dependent}): {exc!r}") from None
    units = []
    for header in headers[:2]:
        match = _HEADER_UNIT.match(header)
        units.append(match.group(2) if match else "")
    qualifiers = {name: entries[min(dependent, len(entries) - 1)]["value"] for name, entries in doc.get("qualifiers", {}).items()
                  if isinstance(entries, list) and entries}
    level = re.search(r"(\d+(?:\.\d+)?)\s*% CL", " ".join(headers))
    if level:
        qualifiers.setdefault("CL", level.group(1) + "%")
    _check_curve(x, y, source, 1, ordered)
    return x, y, {"units": units, "qualifiers": qualifiers, "description": doc.get("description", ""), "notes": []}


def _cl_from(meta: dict[str, Any], spec: dict[str, Any], where: str, source: str) -> float:
    configured = spec.get("confidence_level")
    found = meta.get("confidence") or (meta.get("qualifiers") or {}).get("CL")
    if found is not None:
        try:
            level = float(str(found).strip().rstrip("%"))
        except ValueError:
            raise PublishedCurveError(f"{source}: confidence level {found!r} is not a number") from None
        level = level / 100 if level > 1 else level
        if configured is not None and abs(configured - level) > 1e-9:
            raise ConfigError(f"{where}.confidence_level: {configured} but {source} says {level}")
        return level
    if configured is None:
        raise ConfigError(f"{where}.confidence_level: {source} names no confidence level; give it in the config")
    return float(configured)


def convert(spec: dict[str, Any], data: bytes, source: str, input_record: dict[str, Any], name: str) -> dict[str, Any]:
    """The limit file (version 2) of the import ``name`` whose config block is ``spec``."""
    where = f"imports.{name}"
    plane = spec["plane"]
    if plane not in QUANTITIES:
        raise ConfigError(f"{where}.plane: {plane!r} cannot be imported; planes: {', '.join(QUANTITIES)}")
    fmt = spec["format"]
    ordered = not spec.get("reorder_rows", False)
    shaped = "x_range" in spec or "outline" in spec  # checked for order once reshaped
    read_ordered = ordered and not shaped
    if fmt in ("text", "csv"):
        x, y, meta = read_text(data, source, read_ordered)
    elif fmt == "ecsv":
        x, y, meta = read_ecsv(data, source, read_ordered)
    else:
        x, y, meta = read_hepdata(data, source, int(spec.get("hepdata_dependent", 0)), read_ordered)
    if shaped:
        shaping: list[str] = []
        if "x_range" in spec:
            x, y, said = cut_x_range(x, y, spec["x_range"], where)
            shaping += said
        if "outline" in spec:
            x, y, said = lower_edge(x, y, spec["outline"], where)
            shaping += said
        if ordered:
            check_increasing(x, f"{source} ({' and '.join(k for k in ('x_range', 'outline') if k in spec)} applied)")
        meta["notes"] = list(meta.get("notes") or []) + shaping
    if not ordered:
        x, y, moved = reorder(x, y)
        check_increasing(x, f"{source} (sorted)")
        meta["notes"] = list(meta.get("notes") or []) + moved
    target = PLANES[plane]
    units = spec.get("units") or {}
    file_units = meta.get("units") or ["", ""]
    x_unit = units.get("x") or file_units[0]
    y_unit = units.get("value") or file_units[1]
    for key, unit in (("x", x_unit), ("value", y_unit)):
        if not unit:
            raise ConfigError(f"{where}.units.{key}: {source} names no unit; give it in the config")
    x = x * factor(x_unit, target.x_unit, f"{where}.units.x ({source})")
    y = y * factor(y_unit, target.poi_unit, f"{where}.units.value ({source})")
    references = list(spec.get("references") or [])
    if not references and meta.get("reference"):
        ref: dict[str, Any] = {"citation": f"{spec['experiment']} ({meta.get('year', '')}): {meta['reference']}"}
        if meta.get("arxiv"):
            ref["arxiv"] = str(meta["arxiv"])
        if meta.get("doi"):
            ref["doi"] = str(meta["doi"])
        references = [ref]
    if not references:
        raise ConfigError(f"{where}.references: none given and {source} names none; a published curve needs its paper")
    assumptions = dict(spec.get("assumptions") or {})
    if plane == "sigmav":
        channel = spec.get("channel") or CHANNELS.get(str(meta.get("channel", "")).lower())
        if not channel:
            raise ConfigError(f"{where}.channel: {source} names no channel we know ({meta.get('channel')!r}); give it")
        assumptions.setdefault("channel", channel)
        assumptions.setdefault("self_conjugate", True)
    for key in ("instrument", "source", "obs_time", "dmfraction", "year"):
        if meta.get(key) not in (None, ""):
            assumptions.setdefault(key, str(meta[key]))
    assumptions.setdefault("label", spec["label"])
    cl = _cl_from(meta, spec, where, source)
    x_name, x_label, poi_label = QUANTITIES[plane]
    notes = list(meta.get("notes") or [])
    return {
        "schema": f"{SCHEMA_PREFIX}{PUBLISHED_VERSION}",
        "experiment": spec["experiment"],
        "analysis": spec["analysis"],
        "references": references,
        "result": {"kind": spec["kind"], "confidence_level": cl,
                   "method": {"name": "published",
                              "description": f"the published curve of {spec['label']}, imported from {fmt}; not recomputed"}},
        "model": {"name": spec.get("model", f"as published by {spec['experiment']}"), "variant": name,
                  "assumptions": assumptions},
        "parameter_of_interest": {"name": target.poi, "unit": target.poi_unit, "label": poi_label},
        "x": {"name": x_name, "unit": target.x_unit, "label": x_label},
        "limit": {"x": x.tolist(), "value": y.tolist()},
        "likelihood": {"type": "not_available", "reason": "a published curve: drawn beside results, never combined"},
        "publication": {
            "digitised_by": spec["digitised_by"],
            "figure": str(spec.get("figure") or meta.get("figure") or "not stated"),
            "licence": spec["licence"],
            "source_format": fmt,
            "original_units": {"x": x_unit, "value": y_unit},
            **({"notes": notes} if notes else {}),
        },
        "provenance": {"inputs": [input_record], "software": {}, "config_sha256": "", "rule": ""},
    }


def _yaml_number(value: float | int) -> str:
    """A number as PyYAML's SafeDumper writes it (plain scalar): repr, lower case, and a ``.0``
    before the exponent of a float repr that has no point (1e-45 -> 1.0e-45)."""
    if isinstance(value, int):
        return str(value)
    text = repr(value).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def hepdata_table(doc: dict[str, Any]) -> str:
    """One limit file as a HEPData table (YAML), the format :func:`read_hepdata` reads.

    The two value lists are written line by line beside the emitter's text of the rest (a Python
    representer call per number was most of the catalogue's time on a 10x grid): the same text as
    ``dumps_yaml`` of the whole table (tests/unit/test_imports.py compares them)."""
    columns = (doc["limit"]["x"], doc["limit"]["value"])
    table = {
        "independent_variables": [{"header": {"name": doc["x"]["label"], "units": doc["x"]["unit"]}, "values": []}],
        "dependent_variables": [{
            "header": {"name": doc["parameter_of_interest"]["label"], "units": doc["parameter_of_interest"]["unit"]},
            "qualifiers": [{"name": "CL", "value": f"{doc['result']['confidence_level']:g}"},
                           {"name": "result", "value": doc["result"]["kind"]}],
            "values": [],
        }],
    }
    plain = all(columns) and all((type(v) is int or (type(v) is float and math.isfinite(v))) for column in columns for v in column)
    parts = dumps_yaml(table, sort_keys=False).split("  values: []\n") if plain else []
    if len(parts) != 3:  # anything unusual: the emitter writes it all
        table["independent_variables"][0]["values"] = [{"value": v} for v in columns[0]]
        table["dependent_variables"][0]["values"] = [{"value": v} for v in columns[1]]
        return dumps_yaml(table, sort_keys=False)
    blocks = ["  values:\n" + "".join(f"  - value: {_yaml_number(v)}\n" for v in column) for column in columns]
    return parts[0] + blocks[0] + parts[1] + blocks[1] + parts[2]
