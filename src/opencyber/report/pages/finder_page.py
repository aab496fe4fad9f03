"""The finder page's figures and form (pages/finder.ipynb): what the search finds, and the filters
that assets/finder.js fills from assets/data/finder_nhs.json."""

from __future__ import annotations

import json
from pathlib import Path

from opencyber.report.pages.common import ACROSS, Site
from opencyber.report.publication import long_date


def _read(site: Site, name: str, empty: dict) -> dict:
    path = Path(site.build_dir) / ACROSS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else empty


def finder_scope(site: Site) -> str:
    """What the search box finds: the NHS organisations of the editions and the full exports (Markdown)."""
    nhs = _read(site, "finder_nhs.json", {"orgs": []})
    full = _read(site, "finder_all.json", {"exports": []})["exports"]
    labels = ", ".join(e.label for e in site.editions)
    full_text = " and ".join(f"{x['n']:,} organisations on {long_date(x['snapshot'])}" for x in full)
    return (
        f"Type a name or an ODS code in the search box at the top of the page (on every page). It finds the "
        f"**{len(nhs['orgs']):,} NHS organisations** of the {labels} editions, with each one's status in every edition"
        + (
            f", and any code of the full DSPT exports ({full_text}: GP practices, care homes, pharmacies and others)"
            if full
            else ""
        )
        + ". Close spellings are found too.\n"
    )


def finder_form(site: Site) -> str:
    """The finder's filters and results (HTML), which assets/finder.js fills and runs."""
    full = _read(site, "finder_all.json", {"exports": []})["exports"]
    path = Path(site.build_dir) / ACROSS / "finder_all.json"
    size_mb = f"{(path.stat().st_size if path.is_file() else 0) / 1e6:.1f}"
    return "\n".join(
        [
            '<link rel="stylesheet" href="assets/finder.css">',
            '<p id="oc-loading">Loading the finder…</p>',
            '<form id="oc-finder" class="oc-finder" aria-label="Filters" hidden>',
            '<div><label for="oc-f-sector">Sector</label><select id="oc-f-sector"><option value="">any</option></select></div>',
            '<div><label for="oc-f-area">Area</label><select id="oc-f-area"><option value="">any</option></select></div>',
            '<div><label for="oc-f-status">Status</label><select id="oc-f-status"><option value="">any</option></select></div>',
            '<div><label for="oc-f-edition">In edition</label><select id="oc-f-edition"><option value="">any</option></select></div>',
            (
                '<div class="oc-check"><input type="checkbox" id="oc-f-all"> <label for="oc-f-all">Also search the names of the '
                f"other organisations of the full export ({full[0]['n']:,}; about {size_mb} MB to fetch)</label></div>"
                if full
                else '<input type="checkbox" id="oc-f-all" hidden>'
            ),
            "</form>",
            '<p id="oc-status" role="status" aria-live="polite"></p>',
            '<div id="oc-results"></div>',
            '<section id="oc-org" aria-labelledby="oc-org-title" hidden></section>',
            '<script src="assets/finder.js"></script>',
        ]
    )
