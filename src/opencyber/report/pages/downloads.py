"""The data and downloads page (data.html), and the names the other pages give the downloads they link to."""

from __future__ import annotations

import re
from pathlib import Path

from opencyber.inputs.registry import Edition
from opencyber.report.pages.common import ACROSS, _doc_body
from opencyber.settings import PROJECT_ROOT
from opencyber.stages import ACROSS_DIR

#: what each output file holds, in a reader's words (the data dictionary gives the columns)
DOWNLOADS = {
    "organisations.csv": "Every organisation the edition's inputs name, with its DSPT status, score, area and whether it is in scope",
    "crosstab.csv": "How many organisations of each sector had each status",
    "area_scores.csv": "Each area's own score, the mean score of its trusts and its composite score",
    "areas.csv": "The areas and the NHS England region of each",
    "reconciliation.csv": "The count of organisations at each step, so that none is dropped unseen",
    "overrides.csv": "Decisions that depart from the rules, with the reason and the effect of each",
    "finder_organisations.csv": "Every NHS organisation of every edition, with its status and area (the organisation finder)",
    "trends_status_share.csv": "The share of each sector in each status, edition by edition",
    "trends_trusts.csv": "NHS trusts followed from one edition to the next: improved, declined or stayed",
    "trends_areas.csv": "Each area's composite score across the editions where areas are comparable",
    "sectors_status.csv": "Every sector of the full DSPT exports by status",
    "sectors_totals.csv": "The number of organisations in each sector of the full exports",
    "sectors_gp_areas.csv": "GP practices by area, with how many met or exceeded the standard",
}


def download_description(name: str) -> str:
    """What a downloadable CSV holds: in :data:`DOWNLOADS`, else a table of a page (``table-*``), else
    the words of its heading in docs/data-dictionary.md."""
    if name in DOWNLOADS:
        return DOWNLOADS[name]
    if name.startswith("table-"):
        words = name[len("table-") :].removesuffix(".csv").split("-")
        acronyms = {"nhs", "dspt", "icb", "ics", "ccg", "csu", "icbs", "icss", "ccgs", "csus"}
        words = [w.upper() if w in acronyms else w for w in words]
        words = [w[:-1].upper() + "s" if w.endswith("S") and w.lower() in acronyms else w for w in words]
        text = " ".join(words)
        return f"The table “{text[0].upper() + text[1:]}” of the edition page, as shown there"
    for line in (PROJECT_ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"#+\s*`?" + re.escape(name) + r"`?\s*:\s*(.+)$", line)
        if m and not m.group(1).startswith("`"):
            text = m.group(1).strip()
            return text[0].upper() + text[1:]
    return "See the data dictionary below"


def _kb(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{max(1, round(size / 1e3))} KB"


def data_markdown(editions: list[Edition], build_dir: Path) -> str:
    """Downloads of every output table of every edition, the data dictionary, and the inputs."""
    fictional = [e.label for e in editions if e.banner]
    real = [e for e in editions if not e.banner]
    lines = ["# Data and downloads", ""]
    if fictional:
        lines += [
            f"The figures of {', '.join(fictional)} are computed from **fictional sample data** (`data/sample`, "
            "made by `scripts/make_sample.py`) to show how the report works: they describe no real organisation.",
            "",
        ]
    if real:
        lines += [
            "The figures of the real editions are computed from public data published under the Open Government "
            'Licence v3.0; the boundaries carry the attribution "Source: Office for National Statistics '
            "licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database "
            'right". The output tables below are free to reuse under the same licence.',
            "",
        ]
    lines += [
        "## What you can download",
        "",
        "Every figure on this site is in a CSV file (comma-separated values: it opens in a spreadsheet). "
        "Each edition has its own files; the files *across editions* hold the organisation finder, the trends "
        "and the all-sectors figures. The files beside the tables hold the figures as the pages show them "
        "(shares to one decimal, scores to two); the scores file of each edition keeps full precision for "
        "analysts. The sections under *For analysts* below name every file and describe every column.",
        "",
    ]
    groups = [(ed.label, ed.id, Path(build_dir) / ed.id) for ed in editions]
    groups.append(("across editions", ACROSS_DIR, Path(build_dir) / ACROSS_DIR))
    for label, folder, path in groups:
        files = sorted(path.glob("*.csv"))
        if not files:
            continue
        lines += [
            f"### {label[0].upper() + label[1:]}",
            "",
            "| what the file holds (CSV) | rows | size |",
            "|---|---:|---:|",
        ]
        for csv in files:
            rows = sum(1 for _ in csv.open(encoding="utf-8")) - 1
            lines.append(
                f"| [{download_description(csv.name)}](downloads/{folder}/{csv.name}) | {rows:,} | {_kb(csv)} |"
            )
        lines.append("")
    lines += [
        "",
        "## For analysts: the data dictionary",
        "",
        _doc_body(PROJECT_ROOT / "docs" / "data-dictionary.md").replace("\n## ", "\n### "),
        "",
        "## For analysts: the inputs, their sources, licence and formats",
        "",
        _doc_body(PROJECT_ROOT / "data" / "README.md").replace("\n## ", "\n### "),
        "",
    ]
    return "\n".join(lines) + "\n"


def _download(name: str) -> str:
    """A link to a download across editions, named by what it holds (the file name is for analysts)."""
    text = download_description(name)
    return f"[{text[0].lower() + text[1:]} (CSV)](downloads/{ACROSS}/{name})"
