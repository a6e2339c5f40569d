"""Readers for small numeric text tables shipped as inputs."""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import InputFormatError


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
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an empty table is an error here, not a warning
            table = np.loadtxt(io.StringIO(text), comments="#", ndmin=2)
    except (ValueError, UnicodeDecodeError, UserWarning) as exc:
        raise InputFormatError(f"{source}: expected two numeric columns: {exc}") from None
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
