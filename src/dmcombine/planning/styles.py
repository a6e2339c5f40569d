"""One visual language for every plot: the style table of a run, keyed by the result.

Every limit file the run writes (its own results and the imported published curves) gets one style here, and every
plot card carries the styles of what it draws, so a result looks the same in each plot it appears
in. The rules:

- colour: one per experiment, in registry order, from the Okabe-Ito colour-blind-safe palette
  without its yellow (Okabe & Ito 2008); combinations black; imported published curves take Paul
  Tol's colour-blind-safe "muted" palette (a different set of colours), one colour per label and
  plane, in the order of the imports;
- line: observed results solid, expected dashed, projections dashed (one dash pattern per variant
  of the experiment), discovery reaches dash-dotted; the variants of one experiment with the same
  line differ by marker; ours thick (2.5), published context thin (1.2) or, for bands such as the
  neutrino fog, filled.

No two results of one experiment share a line and marker, and no two experiments share a colour
(up to 6 experiments; beyond, colours repeat with markers), so no two curves in one plot look the
same. Standard library only (the planning layer runs under REANA's Snakemake 7.32.4).
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

from dmcombine.planning.model import LimitOutput

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
COMBINATION = "#000000"
TOL_MUTED = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
BAND_GREYS = ("#BBBBBB", "#888888")
MARKERS = ("", "o", "s", "^", "D", "v", "P", "X", "h", "*")
PROJECTION_DASHES = ("dashed", "long_dash", "short_dash", "dash_dotdot")
LINE_OF_KIND = {"observed": "solid", "expected": "dashed", "discovery": "dash_dot"}
OURS_WIDTH, CONTEXT_WIDTH = 2.5, 1.2


def _variation(job: Any, role: str, kind: str) -> Tuple[Any, ...]:
    """What tells one result of an experiment from its others, apart from its kind and channel
    (the channel is a panel or a plane of its own); an output role that names the kind (XLZD's
    projected and discovery files of one job) is the kind."""
    wildcards = tuple(sorted((k, v) for k, v in job.wildcards.items() if k not in ("channel", "kind")))
    return (wildcards, "" if role == kind else role)


def _line(kind: str, index: int) -> Tuple[str, str]:
    if kind == "projected":
        return PROJECTION_DASHES[index % len(PROJECTION_DASHES)], MARKERS[(index // len(PROJECTION_DASHES)) % len(MARKERS)]
    return LINE_OF_KIND.get(kind, "solid"), MARKERS[index % len(MARKERS)]


def result_styles(jobs: Sequence[Any], experiments: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    """The style of every limit file of the run, by its public path."""
    styles: Dict[str, Dict[str, Any]] = {}
    variations: Dict[str, List[Tuple[Any, ...]]] = {}
    imported: Dict[str, List[str]] = {}  # plane -> labels of its published curves, in order
    for job in jobs:
        for role, output in job.outputs.items():
            if not isinstance(output, LimitOutput):
                continue
            if job.rule == "limitfile_import":  # published: the context palette, thin, one colour per label
                spec = job.config["curves"][role]
                labels = imported.setdefault(output.plane, [])
                key = f"import {output.plane} {spec['label']}"
                if spec.get("band"):  # a band (the neutrino fog): filled, the plane's next grey
                    bands = imported.setdefault(f"{output.plane} bands", [])
                    if spec["label"] not in bands:
                        bands.append(spec["label"])
                    styles[output.path] = {"key": key, "color": BAND_GREYS[bands.index(spec["label"]) % len(BAND_GREYS)],
                                           "line": "solid", "marker": "", "width": 0.0, "fill": True}
                    continue
                if spec["label"] not in labels:
                    labels.append(spec["label"])
                styles[output.path] = _context_style(key, labels.index(spec["label"]))
                continue
            if job.rule == "model_translate":  # a translated published curve: context; ours: its source's colour
                label = job.config["published_labels"].get(role)
                if label is not None:
                    labels = imported.setdefault(output.plane, [])
                    if label not in labels:
                        labels.append(label)
                    style = _context_style(f"translation {output.plane} {label}", labels.index(label))
                    if job.config["translations"][role].get("spin") == "majorana":  # the Higgs portal: one colour per limit
                        style = {**style, "key": f"{style['key']} majorana", "line": "dashed", "marker": ""}
                    styles[output.path] = style
                    continue
            if job.rule == "combine":
                styles[output.path] = {"key": f"combination {job.wildcards['group']}", "color": COMBINATION,
                                       "line": "solid" if output.kind == "observed" else "dashed", "marker": "",
                                       "width": OURS_WIDTH, "fill": False}
                continue
            experiment = job.experiment or output.experiment or ""
            seen = variations.setdefault(experiment, [])
            variation = _variation(job, role, output.kind)
            if variation not in seen:
                seen.append(variation)
            index = seen.index(variation)
            position = list(experiments).index(experiment) if experiment in experiments else len(experiments)
            line, marker = _line(output.kind, index)
            if position >= len(OKABE_ITO):  # beyond six experiments: colours repeat, told apart by markers
                marker = MARKERS[(position // len(OKABE_ITO) + index) % len(MARKERS)] or "o"
            styles[output.path] = {
                "key": " ".join(str(v) for v in (experiment, *(v for _, v in variation[0]), variation[1], output.kind) if v),
                "color": OKABE_ITO[position % len(OKABE_ITO)], "line": line, "marker": marker,
                "width": OURS_WIDTH, "fill": False,
            }
    return styles


def _context_style(key: str, index: int) -> Dict[str, Any]:
    """The index-th published curve: thin, the muted palette, then markers once it is used up."""
    return {"key": key, "color": TOL_MUTED[index % len(TOL_MUTED)], "line": "solid",
            "marker": MARKERS[(index // len(TOL_MUTED)) % len(MARKERS)], "width": CONTEXT_WIDTH, "fill": False}
