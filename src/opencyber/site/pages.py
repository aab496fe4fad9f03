"""The pages of the site, prepared once for either renderer: the executed notebooks of the editions and of the site's own pages (pages/), their titles, navigation, banners, links between editions and the fragments the site adds to them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from opencyber import __version__, stages
from opencyber.errors import RenderError
from opencyber.inputs.registry import Edition
from opencyber.report.outputs import MAP_CHECK_MIME, PLOTLY_MIME
from opencyber.site.geometry import (
    delta_geometries,
    share_repeated_geometries,
)
from opencyber.stages import SITE_PAGES, STAGES


@dataclass
class Page:
    name: str  # output file stem: index, 2022-23, 2022-23-curation
    title: str
    source: Path  # an executed notebook (.ipynb) or a Markdown file (.md)


def edition_pages(edition: Edition, pages_dir: Path) -> list[Page]:
    """The pages of an edition, one per stage: the report's (the edition's own page), then the others."""
    return [
        Page(
            f"{edition.id}{s.page_suffix}",
            s.title.format(label=edition.label),
            pages_dir / f"{edition.id}{s.page_suffix}.ipynb",
        )
        for s in sorted(STAGES, key=lambda s: s.page_suffix != "")
    ]


def own_pages() -> list[tuple[str, str, str]]:
    """The site's own pages, in the navigation's order: (page name, title, navigation text), from
    the metadata of their source notebooks in ``pages/`` (``title``, ``opencyber.navigation``)."""
    out = []
    for name in SITE_PAGES:
        meta = nbformat.read(stages.SITE_PAGES_DIR / f"{name}.ipynb", as_version=4).metadata
        title = meta.get("title", name)
        out.append((name, title, meta.get("opencyber", {}).get("navigation", title)))
    return out


def navigation(editions: list[Edition], current: str, own: list[tuple[str, str, str]]) -> list[dict]:
    """The site's navigation from ``current``: home, each edition (a menu of its three pages), then the
    site's other own pages (``own``: :func:`own_pages`)."""
    report = next(s for s in STAGES if s.page_suffix == "")  # the edition's own page: its title in the menu
    home, _, home_text = own[0]
    nav = [{"text": home_text, "href": f"{home}.html", "current": current == home, "children": []}]
    for ed in editions:
        children = [
            {"text": "How chosen", "href": f"{ed.id}-curation.html", "current": current == f"{ed.id}-curation"},
            {"text": "How scored", "href": f"{ed.id}-scoring.html", "current": current == f"{ed.id}-scoring"},
        ]
        nav.append(
            {
                "text": ed.label,
                "menu_text": report.title.format(label=ed.label),
                "href": f"{ed.id}.html",
                "current": current == ed.id,
                "children": children,
            }
        )
    for name, _, text in own[1:]:
        nav.append({"text": text, "href": f"{name}.html", "current": current == name, "children": []})
    return nav


def drop_test_outputs(nb):
    """Remove what the regression tests read but readers should not see (the map checks), and the
    code cells left with no output (the parameters, the set-up), whose hidden input would still
    leave an empty gap in the page."""
    for cell in nb.cells:
        if cell.get("outputs"):
            cell["outputs"] = [o for o in cell["outputs"] if set(o.get("data", {})) != {MAP_CHECK_MIME}]
    nb.cells = [cell for cell in nb.cells if cell.cell_type != "code" or cell.get("outputs")]
    return nb


def edition_links(editions: list[Edition]) -> dict[str, list[dict]]:
    """For each edition page: links to the previous (older) and the next (newer) edition on the site."""
    links = {}
    for i, ed in enumerate(editions):  # newest first
        around = []
        if i + 1 < len(editions):
            around.append(
                {
                    "rel": "prev",
                    "text": f"Previous edition: {editions[i + 1].label}",
                    "href": f"{editions[i + 1].id}.html",
                }
            )
        if i > 0:
            around.append(
                {"rel": "next", "text": f"Next edition: {editions[i - 1].label}", "href": f"{editions[i - 1].id}.html"}
            )
        links[ed.id] = around
    return links


@dataclass
class PreparedPage:
    """One page of the site, ready for a renderer: the notebook without the map checks and with its
    repeated geometries shared, its title, the navigation, and the HTML fragments the site puts on
    it (``banner_html``, ``around_html``, ``geometries_html``: each empty or starting with a newline)."""

    name: str
    title: str
    nb: nbformat.NotebookNode
    nav: list[dict]
    has_chart: bool
    has_widgets: bool
    fragments: dict
    built_from: str


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def search_html() -> str:
    """The site's search box (every page, in the header; templates/search.html): it finds an
    organisation by name or code on the finder page, which reads ``?q=`` (a GOV.UK-style header
    search, the third tab stop)."""
    return "\n" + (Path(__file__).parent / "templates" / "search.html").read_text(encoding="utf-8").strip()


def banner_html(banner: str) -> str:
    return f'\n<p class="oc-banner" role="note">{_esc(banner)}</p>' if banner else ""


def around_html(links: list[dict]) -> str:
    if not links:
        return ""
    items = "".join(
        f'\n  <li><a rel="{link["rel"]}" href="{link["href"]}">{_esc(link["text"])}</a></li>' for link in links
    )
    return f'\n<nav class="oc-around" aria-label="Other editions"><ul>{items}\n</ul></nav>'


def geometries_html(store: dict) -> str:
    """Geometries that several map layers draw, carried once (:func:`share_repeated_geometries`)."""
    if not store:
        return ""
    text = json.dumps(store, separators=(",", ":")).replace("/", "\\/")  # nbconvert's escape_html_script
    return f'\n<script type="application/json" id="oc-geometries">{text}</script>'


def site_pages(editions: list[Edition], pages_dir: Path, own: list[tuple[str, str, str]]) -> list[Page]:
    """Every page of the site, in order: its own pages (pages/), then each edition's three pages."""
    out = [Page(name, title, pages_dir / f"{name}.ipynb") for name, title, _ in own]
    for ed in editions:
        out += edition_pages(ed, pages_dir)
    return out


def prepare_pages(
    editions: list[Edition], build_dir: Path, banner: str = "", only: set[str] | None = None
) -> list[PreparedPage]:
    """Prepare every page of the site once, for any renderer, from the executed notebooks in
    ``build/pages/`` (the build executes them: the edition notebooks, then the site's own pages).
    ``only``: prepare just the pages of these names."""
    pages_dir = build_dir / "pages"
    # an edition's banner (e.g. "fictional sample data") is on its pages; the site's pages carry them all
    edition_banner = {p.name: ed.banner for ed in editions for p in edition_pages(ed, pages_dir) if ed.banner}
    site_banner = " ".join([banner] * bool(banner) + list(dict.fromkeys(edition_banner.values())))
    around = edition_links(editions)
    prepared = []
    own = own_pages()  # read once: every page's navigation names them
    for page in site_pages(editions, pages_dir, own):
        if only is not None and page.name not in only:
            continue
        if not page.source.is_file():
            raise RenderError(f"{page.source} is missing: build the site with `opencyber build`")
        # the build's own executed notebook, validated when nbformat wrote it (reading it with
        # nbformat.read would validate it again: a fifth of the time this takes)
        nb = drop_test_outputs(nbformat.v4.reads_json(page.source.read_text(encoding="utf-8")))
        geometries = share_repeated_geometries(nb)
        delta_geometries(nb, geometries)
        has_chart = any(PLOTLY_MIME in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
        page_banner = (
            " ".join(b for b in (banner, edition_banner.get(page.name)) if b)
            if page.name in edition_banner
            else site_banner
        )
        fragments = {
            "search_html": search_html(),
            "banner_html": banner_html(page_banner),
            "around_html": around_html(around.get(page.name, [])),
            "geometries_html": geometries_html(geometries),
        }
        prepared.append(
            PreparedPage(
                page.name,
                page.title,
                nb,
                navigation(editions, page.name, own),
                has_chart,
                "widgets" in nb.metadata,
                fragments,
                f"with Open Cyber {__version__}",
            )
        )
    return prepared
