"""Readers for small numeric text tables shipped as inputs."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import InputFormatError


def load_numeric(data: bytes | str, source: str, expected: str, **loadtxt_kwargs: object) -> NDArray[np.float64]:
    """``np.loadtxt`` of a whole input (2-D, ``ndmin=2``) where any parse problem, a non-UTF-8 byte
    or an empty table (a warning in numpy) is an :class:`InputFormatError` saying
    "<source>: expected <expected>: <why>".

    >>> load_numeric(b"1 2\\n3 4\\n", "demo", "two columns").shape
    (2, 2)
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an empty table is an error here, not a warning
            return np.loadtxt(io.StringIO(text), ndmin=2, **loadtxt_kwargs)
    except (ValueError, UnicodeDecodeError, UserWarning) as exc:
        raise InputFormatError(f"{source}: expected {expected}: {exc}") from None


def read_xy(data: bytes, source: str, positive: bool = True) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Two numeric columns separated by white space or commas, '#' comments; rows sorted by x.

    >>> x, y = read_xy(b"# m sigma\\n20, 2e-46\\n10 1e-45\\n", "demo")
    >>> x.tolist(), y.tolist()
    ([10.0, 20.0], [1e-45, 2e-46])
    """
    if not data.strip():
        raise InputFormatError(f"{source}: the file is empty; expected two numeric columns")
    try:
        text = re.sub(r"[,\t]", " ", data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"{source}: expected two numeric columns: {exc}") from None
    table = load_numeric(text, source, "two numeric columns", comments="#")
    if table.shape[0] < 2 or table.shape[1] < 2:
        raise InputFormatError(f"{source}: expected at least two rows of two columns, got shape {table.shape}")
    x, y = table[:, 0], table[:, 1]
    bad = ~np.isfinite(x) | ~np.isfinite(y)
    if positive:
        bad |= (x <= 0) | (y <= 0)
    if np.any(bad):
        row = int(np.argmax(bad))
        raise InputFormatError(
            f"{source}: data row {row + 1} is ({x[row]}, {y[row]}); expected finite"
            + (" positive" if positive else "")
            + " numbers"
        )
    order = np.argsort(x, kind="stable")
    return x[order], y[order]


PROVENANCE_COLUMNS = ("plot", "curve", "kind", "licence", "experiment", "paper", "file", "sha256", "input_dids", "assumptions")


def origin(published: bool, translated: bool) -> str:
    if translated:
        return "published, translated by a model" if published else "this work, translated by a model"
    return "published, imported" if published else "this work"


def _licence(doc: dict[str, Any], published: bool) -> str:
    from dmcombine.limitfile import licence_of

    if not published:
        return "this work"
    found = licence_of(doc)
    return f"{found[0]} (compiled by {found[1]})" if found else "a number cited from the paper"


def provenance_rows(files: list[str]) -> list[dict[str, str]]:
    """One row per curve of the plots: our limit files and the imported published ones (with their licence)."""
    from dmcombine import limitfile
    from dmcombine.planes import plane_of
    from dmcombine.planning.paths import display_path
    from dmcombine.provenance import sha256_file

    rows = []
    for path in files:
        doc = limitfile.read(path)
        refs = "; ".join(f"arXiv:{r['arxiv']}" if "arxiv" in r else r["citation"] for r in doc["references"])
        dids = "; ".join(f"{r['did']} (adler32 {r['adler32']}, md5 {r['md5']})" for r in doc["provenance"]["inputs"])
        assumptions = {k: v for k, v in doc["model"]["assumptions"].items() if not isinstance(v, (list, dict)) or k in ("halo", "couplings")}
        plane = plane_of(doc["parameter_of_interest"]["name"])
        channel = doc["model"]["assumptions"].get("channel")
        published = limitfile.is_published(doc)
        translated = limitfile.is_translated(doc)
        rows.append({
            "plot": plane.name if plane else doc["parameter_of_interest"]["name"],
            "curve": (doc["model"]["assumptions"].get("label", doc["experiment"]) if published else
                      f"{doc['experiment']} [{doc['model']['variant']}]") + (f" {channel}" if channel else ""),
            "kind": f"{doc['result']['kind']} ({origin(published, translated)}), "
                    f"{100 * doc['result']['confidence_level']:g}% CL",
            "licence": _licence(doc, published),
            "experiment": doc["experiment"],
            "paper": refs,
            "file": display_path(path),
            "sha256": sha256_file(path),
            "input_dids": dids,
            "assumptions": json.dumps(assumptions, sort_keys=True),
        })
    return rows


def write_provenance(rows: list[dict[str, str]], csv_path: str, md_path: str) -> None:
    """Write the provenance table as CSV and as a Markdown table (atomically)."""
    from dmcombine.fileio import atomic_write_text

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PROVENANCE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write_text(csv_path, buffer.getvalue())
    lines = ["| " + " | ".join(PROVENANCE_COLUMNS) + " |", "|" + " --- |" * len(PROVENANCE_COLUMNS)]
    for row in rows:
        lines.append("| " + " | ".join(str(row[c]).replace("|", "\\|") for c in PROVENANCE_COLUMNS) + " |")
    atomic_write_text(md_path, "\n".join(lines) + "\n")
