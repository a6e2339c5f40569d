"""Provenance written into every output: software version, git commit, config digest.

No wall-clock time is recorded anywhere: the same inputs and config give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

from dmcombine import __version__


def canonical_json(obj: Any) -> str:
    """Canonical JSON (sorted keys, no spaces) used for digests.

    >>> canonical_json({"b": 1, "a": [1.5, "x"]})
    '{"a":[1.5,"x"],"b":1}'
    """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def config_sha256(config: Any) -> str:
    """SHA-256 of the canonical JSON of a configuration block."""
    return hashlib.sha256(canonical_json(config).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def git_commit() -> str:
    """The commit of the code that runs: ``DMCOMBINE_GIT_COMMIT`` if set (container builds set it),
    else ``git rev-parse HEAD`` of the checkout holding this package, with ``+dirty`` when tracked
    files differ from it; ``unknown`` outside a checkout."""
    pinned = os.environ.get("DMCOMBINE_GIT_COMMIT")
    if pinned:
        return pinned
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes (names a limit file in combinations and provenance tables)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def software() -> dict[str, str]:
    """The software block of a provenance record."""
    return {"name": "dmcombine", "version": __version__, "git_commit": git_commit()}


def provenance_record(inputs: list[dict[str, Any]], config: Any, rule: str) -> dict[str, Any]:
    """Provenance of one output: its inputs (DIDs and checksums), software, config digest, rule."""
    return {
        "inputs": sorted(inputs, key=lambda record: record["did"]),
        "software": software(),
        "config_sha256": config_sha256(config),
        "rule": rule,
    }
