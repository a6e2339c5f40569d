"""Where the workflow keeps things, and names that are safe to turn into paths.

* ``results/`` is what users read: the last good result of every job. Jobs never write there
  directly: Snakemake removes a job's outputs before it runs it, so a job that then fails would
  take the earlier result with it. Every rule's outputs live in the **stage**
  (``.dmcombine/stage/<public path>``); a job that succeeds publishes them (:func:`public_path`)
  into ``results/`` itself, each file by an atomic rename. A failed or killed job publishes
  nothing, so ``results/`` keeps the previous files, byte for byte.
* ``resources/inputs/<scope>/<name>`` is the verified copy of each input fetched from Rucio,
  published the same way by the fetch job that verified it.
* ``.dmcombine/cards/`` holds the job cards: each job's resolved configuration, named by the
  digest of its content. A changed configuration gives a job a new card, and Snakemake reruns
  exactly the jobs whose card changed; going back to a configuration already run finds its card
  (and the results made with it) again.

Names that become path components (variants, dwarf sets, benchmarks, exposures, DIDs) must match
:data:`SAFE_COMPONENT`, so that a value can never climb out of its folder or hide a file.
"""

from __future__ import annotations

import re

STATE = ".dmcombine"
STAGE = f"{STATE}/stage"
CARDS = f"{STATE}/cards"
INPUT_CACHE = "resources/inputs"
# a path component: letters, digits, '_', '-', '.', '+', not starting with '.' or '-'
SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9_.+\-]{0,127}$")
# Rucio's DID grammar, narrowed so that each part is a safe path component
DID = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.\-]{0,24}):([A-Za-z0-9_][A-Za-z0-9_.\-]{0,249})$")


def is_safe_component(value: str) -> bool:
    """Whether ``value`` can be one path component of an output name.

    >>> [is_safe_component(v) for v in ("halo_2021", "1000", "..", "a/b", ".hidden", "x y")]
    [True, True, False, False, False, False]
    """
    return bool(SAFE_COMPONENT.match(value)) and ".." not in value


def staged(path: str) -> str:
    """Where a rule writes the output whose public path is ``path`` (results/... or resources/...)."""
    return f"{STAGE}/{path}"


def public_path(path: str) -> str | None:
    """The public path of a staged output, or None for a path outside the stage.

    >>> public_path(".dmcombine/stage/results/darkside50/published/limit.json")
    'results/darkside50/published/limit.json'
    >>> public_path("my/own.json") is None
    True
    """
    normal = path.replace("\\", "/")
    while normal.startswith("./"):
        normal = normal[2:]
    prefix = STAGE + "/"
    return normal[len(prefix):] if normal.startswith(prefix) else None


def display_path(path: str) -> str:
    """The path a user should see for a file: its public path if it is staged."""
    return public_path(path) or path


def fetched_input(did: str) -> str:
    """Where the fetch job stages an input fetched from Rucio."""
    scope, name = did.split(":", 1)
    return staged(f"{INPUT_CACHE}/{scope}/{name}")


def card_path(rule: str, wildcards: dict[str, str], digest: str) -> str:
    """The card of one job: .dmcombine/cards/<rule>/<wildcard values>.<digest>.yaml (wildcards in
    name order; the digest is of the card's content)."""
    parts = [wildcards[k] for k in sorted(wildcards)] or ["job"]
    return f"{CARDS}/{rule}/" + "/".join(parts) + f".{digest[:12]}.yaml"
