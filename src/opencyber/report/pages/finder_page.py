"""The organisation finder page (finder.html)."""

from __future__ import annotations

from pathlib import Path

from opencyber.inputs.registry import Edition
from opencyber.report.pages.common import ACROSS
from opencyber.report.pages.downloads import _download
from opencyber.report.publication import long_date


def finder_markdown(editions: list[Edition], build_dir: Path) -> str:
    """The organisation finder: the site's search box (in every page's header) and the filters here,
    which assets/finder.js fills from assets/data/finder_nhs.json."""
    import json

    def read(name: str, empty: dict) -> dict:
        path = Path(build_dir) / ACROSS / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else empty

    nhs = read("finder_nhs.json", {"orgs": []})
    full = read("finder_all.json", {"exports": []})["exports"]
    labels = ", ".join(e.label for e in editions)
    full_text = " and ".join(f"{x['n']:,} organisations on {long_date(x['snapshot'])}" for x in full)
    lines = [
        "# Find an organisation",
        "",
        f"Type a name or an ODS code in the search box at the top of the page (on every page). It finds the "
        f"**{len(nhs['orgs']):,} NHS organisations** of the {labels} editions, with each one's status in every edition"
        + (
            f", and any code of the full DSPT exports ({full_text}: GP practices, care homes, pharmacies and others)"
            if full
            else ""
        )
        + ". Close spellings are found too.",
        "",
        '<link rel="stylesheet" href="assets/finder.css">',
        '<p id="oc-loading">Loading the finder…</p>',
        '<form id="oc-finder" class="oc-finder" aria-label="Filters" hidden>',
        '<div><label for="oc-f-sector">Sector</label><select id="oc-f-sector"><option value="">any</option></select></div>',
        '<div><label for="oc-f-area">Area</label><select id="oc-f-area"><option value="">any</option></select></div>',
        '<div><label for="oc-f-status">Status</label><select id="oc-f-status"><option value="">any</option></select></div>',
        '<div><label for="oc-f-edition">In edition</label><select id="oc-f-edition"><option value="">any</option></select></div>',
        (
            '<div class="oc-check"><input type="checkbox" id="oc-f-all"> <label for="oc-f-all">Also search the names of the '
            f"other organisations of the full export ({full[0]['n']:,}; about {_size_mb(build_dir)} MB to fetch)</label></div>"
            if full
            else '<input type="checkbox" id="oc-f-all" hidden>'
        ),
        "</form>",
        '<p id="oc-status" role="status" aria-live="polite"></p>',
        '<div id="oc-results"></div>',
        '<section id="oc-org" aria-labelledby="oc-org-title" hidden></section>',
        '<script src="assets/finder.js"></script>',
        "",
        "The NHS organisations are NHS trusts, ICBs, CCGs and sub-ICB locations, and CSUs, in scope or not (with the "
        "reason), with their sector and area in every edition and the organisations they took over or were taken over by. "
        "Names are shown in readable case (the NHS lists write them in capitals); the search ignores case and punctuation, "
        "and reads *NHS Foundation Trust* and *NHS FT* as the same. Each organisation has a permanent link, which you can "
        "copy and share. A status is the one the edition's report counts (*Not Published* when none of that edition was "
        "published); *out of scope* organisations are listed with the reason. The organisations one took over, or was "
        "taken over by, are known where an edition's data name them (the 2020/21 reference list, the 2022/23 ICB "
        "partner mapping) and, for CCGs, from the ONS lookup of sub-ICB locations to ICBs.",
        "",
        f"Without JavaScript, the same data are in the download {_download('finder_organisations.csv')}.",
        "",
    ]
    return "\n".join(lines) + "\n"


def _size_mb(build_dir: Path) -> str:
    path = Path(build_dir) / ACROSS / "finder_all.json"
    size = path.stat().st_size if path.is_file() else 0
    return f"{size / 1e6:.1f}"
