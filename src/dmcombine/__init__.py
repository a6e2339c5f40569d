"""dmcombine: published dark-matter search results recomputed from their public inputs.

The package holds the physics and I/O behind the Snakemake workflow at the repository's top
level; every workflow rule calls its command-line interface (:mod:`dmcombine.cli`).
"""

from __future__ import annotations

__version__ = "0.1.0"
