"""The data page's figures (pages/data.ipynb): the licence and the downloads of every edition, and
the names the other pages give the downloads they link to."""

from __future__ import annotations

import re
from pathlib import Path

from opencyber.report.pages.common import ACROSS, Site
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


def licence(site: Site) -> str:
    """Where the figures come from and their licence: fictional sample data, or public data under
    the Open Government Licence (Markdown)."""
    fictional = [e.label for e in site.editions if e.banner]
    lines = []
    if fictional:
        lines += [
            f"The figures of {', '.join(fictional)} are computed from **fictional sample data** (`data/sample`, "
            "made by `scripts/make_sample.py`) to show how the report works: they describe no real organisation.",
            "",
        ]
    if len(fictional) < len(site.editions):
        lines += [
            "The figures of the real editions are computed from public data published under the Open Government "
            'Licence v3.0; the boundaries carry the attribution "Source: Office for National Statistics '
            "licensed under the Open Government Licence v.3.0. Contains OS data © Crown copyright and database "
            'right". The output tables below are free to reuse under the same licence.',
            "",
        ]
    return "\n".join(lines)


def download_tables(site: Site) -> str:
    """A table of the downloads of each edition and across editions: what each file holds, its rows
    and its size (Markdown)."""
    groups = [(ed.label, ed.id, Path(site.build_dir) / ed.id) for ed in site.editions]
    groups.append(("across editions", ACROSS_DIR, Path(site.build_dir) / ACROSS_DIR))
    lines: list[str] = []
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
    return "\n".join(lines)


def download_link(name: str) -> str:
    """A link to a download across editions, named by what it holds (the file name is for analysts)."""
    text = download_description(name)
    return f"[{text[0].lower() + text[1:]} (CSV)](downloads/{ACROSS}/{name})"
