"""The results catalogue: a static, browsable site of every limit file of a run.

Built by the ``results_catalogue`` rule into ``results/catalogue/`` with Jinja2 templates
(``dmcombine/templates/``): an index with client-side search and filters (experiment, plane, kind,
model, year, origin), a page per limit file (an SVG plot of the curve, the limit table, model
assumptions, references, input DIDs with size, checksums and licence, downloads as JSON, CSV and a
HEPData table), a page per plane (with its summary plot), per experiment and per input dataset.
Everything is relative links and local files: it works from ``file://``, on a REANA workspace and
offline (no CDN, fonts or scripts fetched). Results of this run and imported published curves
carry different badges and row styles.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from html import escape
from pathlib import Path
from typing import Any

from dmcombine import __version__, imports, limitfile
from dmcombine.fileio import atomic_write_bytes, atomic_write_text
from dmcombine.planes import plane_of
from dmcombine.planning.paths import display_path

STATIC = ("style.css", "catalogue.js")
YEAR = re.compile(r"\((19|20)(\d\d)\)|\b(19|20)(\d\d)\b")


def slug(text: str) -> str:
    """A file name for a path, a DID or a name (stable, readable, unique enough with its hash).

    >>> slug("results/darkside50/published/limit.json")
    'darkside50-published-limit-83452a40'
    """
    base = re.sub(r"[^A-Za-z0-9]+", "-", text.removeprefix("results/").removesuffix(".json")).strip("-").lower()
    return f"{base[:80]}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def _ticks(lo: float, hi: float) -> list[int]:
    return list(range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1))


def svg_plot(curves: list[tuple[str, list[float], list[float], str, bool]], xlabel: str, ylabel: str) -> str:
    """A log-log SVG of curves (label, x, y, colour, dashed): decade ticks, a legend under the axes.
    Drawn here, not by a browser library, so the page needs nothing from the network."""
    width, height, left, right, top, bottom = 720, 420, 80, 20, 20, 60
    xs = [v for _, x, _, _, _ in curves for v in x if v > 0]
    ys = [v for _, _, y, _, _ in curves for v in y if v > 0]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs))
    y0, y1 = math.log10(min(ys)), math.log10(max(ys))
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 0.5, x1 + 0.5
    if y1 - y0 < 1e-9:
        y0, y1 = y0 - 0.5, y1 + 0.5
    pad_x, pad_y = 0.03 * (x1 - x0), 0.05 * (y1 - y0)
    x0, x1, y0, y1 = x0 - pad_x, x1 + pad_x, y0 - pad_y, y1 + pad_y

    def px(v: float) -> float:
        return left + (math.log10(v) - x0) / (x1 - x0) * (width - left - right)

    def py(v: float) -> float:
        return top + (y1 - math.log10(v)) / (y1 - y0) * (height - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 18 * len(curves)}" '
             f'width="{width}" role="img" aria-label="{escape(ylabel)} versus {escape(xlabel)}">']
    for e in _ticks(10**x0, 10**x1):
        if x0 <= e <= x1:
            x = left + (e - x0) / (x1 - x0) * (width - left - right)
            parts.append(f'<line class="grid" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}"/>')
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle">1e{e}</text>')
    for e in _ticks(10**y0, 10**y1):
        if y0 <= e <= y1:
            y = top + (y1 - e) / (y1 - y0) * (height - top - bottom)
            parts.append(f'<line class="grid" x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}"/>')
            parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">1e{e}</text>')
    parts.append(f'<rect class="axis" x="{left}" y="{top}" width="{width - left - right}" height="{height - top - bottom}" fill="none"/>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - bottom + 40}" text-anchor="middle">{escape(xlabel)}</text>')
    parts.append(f'<text x="16" y="{(top + height - bottom) / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 16 {(top + height - bottom) / 2})">{escape(ylabel)}</text>')
    for i, (label, x, y, colour, dashed) in enumerate(curves):
        points = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in zip(x, y) if a > 0 and b > 0)
        dash = ' stroke-dasharray="6 3"' if dashed else ""
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        ly = height + 4 + 18 * i
        parts.append(f'<line x1="{left}" y1="{ly}" x2="{left + 30}" y2="{ly}" stroke="{colour}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{left + 38}" y="{ly + 4}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _year(doc: dict[str, Any]) -> str:
    assumed = doc["model"]["assumptions"].get("year")
    if assumed:
        return str(assumed)
    for ref in doc["references"]:
        match = YEAR.search(ref["citation"])
        if match:
            return "".join(g for g in match.groups() if g)
    return ""


def build(files: list[str], plots: list[str], datasets: dict[str, dict[str, Any]], styles: dict[str, Any],
          out: Path, commit: str) -> list[Path]:
    """Write the catalogue of limit ``files`` (and the summary ``plots``) under ``out``; return
    every file written. ``datasets``: the inputs catalogue's record of each DID (licence, paper...)."""
    from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("dmcombine", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=ChainableUndefined, keep_trailing_newline=True)  # optional keys (doi, notes) render empty
    written: list[Path] = []

    results, inputs = [], {}
    for path in files:
        doc = limitfile.read(path)
        public = display_path(path)
        published = limitfile.is_published(doc)
        plane = plane_of(doc["parameter_of_interest"]["name"])
        style = styles.get(public, {})
        channel = doc["model"]["assumptions"].get("channel")
        title = (doc["model"]["assumptions"].get("label") if published else None) or \
            f"{doc['experiment']} [{doc['model']['variant']}]"
        title += f" {channel}" if channel and channel not in title else ""
        title += f" ({doc['result']['kind']})"
        r = {"slug": slug(public), "path": path, "public": public, "doc": doc, "title": title,
             "origin": "published" if published else "this work", "origin_class": "published" if published else "ours",
             "experiment": doc["experiment"], "experiment_slug": slug(doc["experiment"]),
             "plane": plane.name if plane else "other", "kind": doc["result"]["kind"],
             "cl": f"{100 * doc['result']['confidence_level']:.4g}%", "model": doc["model"]["variant"],
             "year": _year(doc), "version": limitfile.version_of(doc), "colour": style.get("color", "#0072B2"),
             "dashed": doc["result"]["kind"] != "observed",
             "bytes": Path(path).read_bytes()}
        r["sha256"] = hashlib.sha256(r["bytes"]).hexdigest()
        refs = " ".join(f"{x.get('citation', '')} arxiv:{x.get('arxiv', '')} {x.get('doi', '')}" for x in doc["references"])
        r["search_text"] = " ".join([title, doc["experiment"], doc["analysis"], r["plane"], r["kind"], r["model"],
                                     r["year"], r["origin"], channel or "", refs, public]).lower()
        r["inputs"] = []
        for record in doc["provenance"]["inputs"]:
            info = datasets.get(record["did"], {})
            item = inputs.setdefault(record["did"], {**record, **info, "slug": slug(record["did"]), "results": []})
            item["results"].append(r)
            r["inputs"].append({**record, "slug": item["slug"], "licence": info.get("licence", "unknown")})
        results.append(r)
    results.sort(key=lambda r: (r["origin"] != "this work", r["plane"], r["experiment"], r["title"]))
    planes_seen = sorted({r["plane"] for r in results})

    def page(rel: str, template: str, **context: Any) -> None:
        root = "../" * rel.count("/")
        text = env.get_template(template).render(root=root, version=__version__, commit=commit,
                                                 nav_planes=planes_seen, **context)
        atomic_write_text(out / rel, text)
        written.append(out / rel)

    for name in STATIC:
        data = (Path(__file__).parent / "templates" / name).read_bytes()
        atomic_write_bytes(out / name, data)
        written.append(out / name)
    for r in results:
        doc = r["doc"]
        r["rows"] = [(f"{x:.6g}", f"{y:.6g}") for x, y in zip(doc["limit"]["x"], doc["limit"]["value"])]
        r["assumptions"] = json.dumps(doc["model"]["assumptions"], indent=1, sort_keys=True, ensure_ascii=False)
        r["svg"] = svg_plot([(r["title"], doc["limit"]["x"], doc["limit"]["value"], r["colour"], r["dashed"])],
                            f"{doc['x']['label']} [{doc['x']['unit']}]",
                            f"{doc['parameter_of_interest']['label']} [{doc['parameter_of_interest']['unit']}]")
        r["caption"] = f"{r['title']}: {doc['parameter_of_interest']['label']} versus {doc['x']['label']}"
        for suffix, data in ((".json", r["bytes"]), (".csv", limitfile.to_csv(doc).encode()),
                             (".hepdata.yaml", imports.hepdata_table(doc).encode())):
            atomic_write_bytes(out / "files" / f"{r['slug']}{suffix}", data)
            written.append(out / "files" / f"{r['slug']}{suffix}")
        page(f"result/{r['slug']}.html", "result.html", title=r["title"], r=r)
    filters = {key: sorted({r[key] for r in results if r[key]}) for key in ("experiment", "plane", "kind", "model", "year", "origin")}
    page("index.html", "index.html", title="Results", results=results, ours=sum(r["origin"] == "this work" for r in results),
         filters=filters, inputs=inputs)
    images = {Path(p).name: p for p in plots}
    for plane in planes_seen:
        members = [r for r in results if r["plane"] == plane]
        image = None
        if f"{plane}_summary.png" in images:
            atomic_write_bytes(out / "plane" / f"{plane}_summary.png", Path(images[f"{plane}_summary.png"]).read_bytes())
            written.append(out / "plane" / f"{plane}_summary.png")
            image = f"{plane}_summary.png"
        page(f"plane/{plane}.html", "listing.html", title=f"Plane {plane}", results=members, intro=None,
             image=image, image_alt=f"The summary plot of the {plane} plane: every result and published curve in it",
             svg=None, svg_caption="", facts=[("results", len(members))])
    for experiment in sorted({r["experiment"] for r in results}):
        members = [r for r in results if r["experiment"] == experiment]
        page(f"experiment/{slug(experiment)}.html", "listing.html", title=experiment, results=members,
             intro=f"{len(members)} limit file(s) of {experiment}.", image=None, image_alt="", svg=None, svg_caption="",
             facts=[("planes", ", ".join(sorted({r['plane'] for r in members})))])
    for did, item in sorted(inputs.items()):
        facts = [("DID", did), ("shipped copy", item.get("path", "")), ("bytes", item["bytes"]),
                 ("adler32", item["adler32"]), ("md5", item["md5"]), ("licence", item.get("licence", "unknown")),
                 ("origin", item.get("origin", "")), ("paper", item.get("paper", ""))]
        page(f"input/{item['slug']}.html", "listing.html", title=f"Input {did}", results=item["results"], intro=None,
             image=None, image_alt="", svg=None, svg_caption="", facts=facts)
    page("inputs.html", "inputs.html", title="Input datasets", inputs=[inputs[d] for d in sorted(inputs)])
    return written
