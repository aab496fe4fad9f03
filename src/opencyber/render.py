"""The website: executed notebooks and narrative pages -> ``_site/``.

With ``quarto`` on PATH, ``quarto render`` builds the site from ``_quarto.yml``. Without it (the
usual case on locked-down laptops), :func:`render_site` builds the same pages with nbconvert and
the ``opencyber`` template: site navigation, no input cells, and every script served from
``_site/assets/`` so that pages work offline (only basemap tiles come from outside).

The site is written to a temporary folder and moved into place only when every page rendered, so a
failed build never leaves a half-written site.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import __version__, pages
from .outputs import MAP_CHECK_MIME, PLOTLY_MIME
from .registry import PROJECT_ROOT, Edition

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
NODE_MODULES = PROJECT_ROOT / "node_modules"
#: plotly.js "basic" partial bundle (scatter, bar, pie): 1.2 MB instead of the full 4.6 MB
PLOTLY_BASIC = NODE_MODULES / "plotly.js-basic-dist-min" / "plotly-basic.min.js"

HTML_MANAGER_VERSION = "1.0.15"
REQUIREJS_VERSION = "2.3.8"
CDN = "https://cdn.jsdelivr.net/npm"


def log(msg: str) -> None:
    print(msg, flush=True)


@dataclass
class Assets:
    """Where a page loads its scripts from (site-relative paths, or CDN URLs as a fallback)."""

    require_js: str
    widget_renderer: str
    plotly: str
    amd_paths: dict
    offline: bool


def ensure_node_modules(quiet: bool = False) -> bool:
    """Install the pinned npm packages (package-lock.json) if they are missing. True if present."""
    wanted = [
        NODE_MODULES / "requirejs" / "require.js",
        NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
        PLOTLY_BASIC,
    ]
    if all(p.is_file() for p in wanted):
        return True
    npm = shutil.which("npm")
    if npm is None:
        log(
            "WARNING: npm is not installed, so require.js and the Jupyter widgets HTML manager cannot be "
            "served from the site: the maps will load them from a CDN (they will not show offline). "
            "Install Node.js/npm, or copy a node_modules folder from a machine that has it."
        )
        return False
    log("Installing the site's JavaScript packages (npm ci, pinned by package-lock.json) ...")
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not all(p.is_file() for p in wanted):
        log(
            "WARNING: npm ci failed, so the maps will load require.js and the widgets manager from a CDN:\n"
            + proc.stderr.strip()[-800:]
        )
        return False
    return True


def jupyter_data_file(package: str, *parts: str) -> Path:
    """A data file that ``package``'s wheel installs under share/jupyter, found where that install put
    it (the record of installed files), else in the Jupyter data directories."""
    from importlib import metadata

    from jupyter_core.paths import jupyter_path

    suffix = "share/jupyter/" + "/".join(parts)
    for f in metadata.distribution(package).files or []:
        if str(f).replace("\\", "/").endswith(suffix):
            return Path(f.locate()).resolve()
    for root in jupyter_path(*parts[:-1]):
        candidate = Path(root) / parts[-1]
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{suffix} of {package} is in none of the Jupyter data directories {jupyter_path()}")


def _jupyter_leaflet_dir() -> Path:
    npm_copy = NODE_MODULES / "jupyter-leaflet" / "dist"
    if (npm_copy / "index.js").is_file():
        return npm_copy
    # the same AMD bundle ships inside the ipyleaflet wheel (share/jupyter/nbextensions)
    return jupyter_data_file("jupyter-leaflet", "nbextensions", "jupyter-leaflet", "index.js").parent


def copy_assets(site: Path) -> Assets:
    """Copy plotly.js, require.js, the widgets manager, jupyter-leaflet and our CSS/JS to assets/."""
    import plotly

    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    have_npm = ensure_node_modules()
    plotly_js = PLOTLY_BASIC if have_npm else Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copy2(plotly_js, assets / "plotly.min.js")
    for name in ("site.css", "opencyber.js"):
        shutil.copy2(STATIC / name, assets / name)
    lab = jupyter_data_file("nbconvert", "nbconvert", "templates", "lab", "static", "index.css").parent
    (assets / "jupyter.css").write_text(
        (lab / "index.css").read_text(encoding="utf-8") + "\n" + (lab / "theme-light.css").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    leaflet = assets / "jupyter-leaflet"
    leaflet.mkdir(exist_ok=True)
    for f in _jupyter_leaflet_dir().iterdir():
        if f.suffix in (".js", ".png"):
            shutil.copy2(f, leaflet / f.name)
    amd_paths = {"jupyter-leaflet": "assets/jupyter-leaflet/index"}
    if have_npm:
        shutil.copy2(NODE_MODULES / "requirejs" / "require.js", assets / "require.js")
        manager = assets / "html-manager"
        manager.mkdir(exist_ok=True)
        for f in (NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist").iterdir():
            if f.name == "embed-amd.js" or f.suffix in (".woff", ".woff2", ".ttf", ".eot", ".svg"):
                shutil.copy2(f, manager / f.name)
        return Assets("assets/require.js", "assets/html-manager/embed-amd.js", "assets/plotly.min.js", amd_paths, True)
    return Assets(
        f"{CDN}/requirejs@{REQUIREJS_VERSION}/require.js",
        f"{CDN}/@jupyter-widgets/html-manager@{HTML_MANAGER_VERSION}/dist/embed-amd.js",
        "assets/plotly.min.js",
        amd_paths,
        False,
    )


# ---------------------------------------------------------------------------------------------
# pages


@dataclass
class Page:
    name: str  # output file stem: index, 2022-23, 2022-23-curation
    title: str
    source: Path  # an executed notebook (.ipynb) or a Markdown file (.md)


def edition_pages(edition: Edition, pages_dir: Path) -> list[Page]:
    return [
        Page(edition.id, f"{edition.label} edition", pages_dir / f"{edition.id}.ipynb"),
        Page(f"{edition.id}-curation", f"{edition.label}: how the organisations were chosen", pages_dir / f"{edition.id}-curation.ipynb"),
        Page(f"{edition.id}-scoring", f"{edition.label}: how the scores were computed", pages_dir / f"{edition.id}-scoring.ipynb"),
    ]


#: narrative pages: (page name, title, navigation text, Markdown maker taking (editions, build_dir))
NARRATIVE_PAGES = (
    ("index", "Home", "Home", pages.home_markdown),
    ("methodology", "Methodology", "Methodology", pages.methodology_markdown),
    ("data", "Data and downloads", "Data", pages.data_markdown),
    ("accessibility", "Accessibility statement", "Accessibility", lambda editions, build_dir: pages.accessibility_markdown()),
)


def navigation(editions: list[Edition], current: str) -> list[dict]:
    nav = [{"text": "Home", "href": "index.html", "current": current == "index", "children": []}]
    for ed in editions:
        children = [
            {"text": "How chosen", "href": f"{ed.id}-curation.html", "current": current == f"{ed.id}-curation"},
            {"text": "How scored", "href": f"{ed.id}-scoring.html", "current": current == f"{ed.id}-scoring"},
        ]
        nav.append({"text": ed.label, "href": f"{ed.id}.html", "current": current == ed.id, "children": children})
    for name, _, text, _ in NARRATIVE_PAGES[1:]:
        nav.append({"text": text, "href": f"{name}.html", "current": current == name, "children": []})
    return nav


def _markdown_notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])
    nb.cells[0]["id"] = "home"
    return nb


def drop_test_outputs(nb):
    """Remove what the regression tests read but readers should not see (the map checks)."""
    for cell in nb.cells:
        if cell.get("outputs"):
            cell["outputs"] = [o for o in cell["outputs"] if set(o.get("data", {})) != {MAP_CHECK_MIME}]
    return nb


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
GEOMETRY_REF = "OcGeometryRef"


def share_repeated_geometries(nb) -> dict[str, dict]:
    """Carry a geometry drawn by several map layers once in the page.

    The status map and the composite map draw the same area polygons with different colours; each
    layer is a widget with its own copy of the geometry. Every geometry that occurs more than once in
    the notebook's widget state is moved to a store (returned, key -> geometry) and replaced by
    ``{"type": "OcGeometryRef", "ref": key}``; ``assets/opencyber.js`` puts it back before the widget
    manager reads the state. Keys are content hashes, so pages stay the same from build to build.
    """
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    features = [
        f
        for model in state.values()
        if model.get("model_name") == "LeafletGeoJSONModel"
        for f in (model.get("state", {}).get("data") or {}).get("features", [])
        if isinstance(f, dict) and isinstance(f.get("geometry"), dict)
    ]
    keyed = []
    for f in features:
        text = json.dumps(f["geometry"], sort_keys=True, separators=(",", ":"))
        keyed.append((f, hashlib.sha256(text.encode()).hexdigest()[:16]))
    counts = Counter(k for _, k in keyed)
    store = {}
    for f, k in keyed:
        if counts[k] > 1:
            store[k] = f["geometry"]
            f["geometry"] = {"type": GEOMETRY_REF, "ref": k}
    return dict(sorted(store.items()))


def render_page(page: Page, exporter, assets: Assets, nav: list[dict], extra: dict) -> str:
    if page.source.suffix == ".md":
        nb = _markdown_notebook(page.source.read_text(encoding="utf-8"))
    else:
        nb = drop_test_outputs(nbformat.read(page.source, as_version=4))
    geometries = share_repeated_geometries(nb)
    has_chart = any(
        PLOTLY_MIME in out.get("data", {})
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )
    resources = {
        "oc": {
            "title": page.title,
            "nav": nav,
            "require_js": assets.require_js,
            "widget_renderer": assets.widget_renderer,
            "plotly": assets.plotly if has_chart else "",
            "amd_paths": assets.amd_paths,
            "geometries": json.dumps(geometries, separators=(",", ":")) if geometries else "",
            **extra,
        }
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def nbconvert_template_dirs() -> list[str]:
    """Where nbconvert's own templates (``lab``, ``base``) may be: under this environment's prefix, and
    under the base interpreter's and the user's, for a virtual environment made with
    ``--system-site-packages`` in which nbconvert came from the base installation (Jupyter then does
    not look there by itself)."""
    import site
    import sys

    prefixes = dict.fromkeys([sys.prefix, sys.base_prefix, site.getuserbase()])
    return [str(p) for p in (Path(x) / "share" / "jupyter" / "nbconvert" / "templates" for x in prefixes) if (p / "lab").is_dir()]


def make_exporter():
    from nbconvert import HTMLExporter

    nbconvert_dirs = nbconvert_template_dirs()
    exporter = HTMLExporter(
        template_name="opencyber",
        extra_template_basedirs=[str(TEMPLATES), *nbconvert_dirs],
        extra_template_paths=nbconvert_dirs,  # so that "lab/base.html.j2" resolves there too
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    return exporter


def edition_links(editions: list[Edition]) -> dict[str, list[dict]]:
    """For each edition page: links to the previous (older) and the next (newer) edition on the site."""
    links = {}
    for i, ed in enumerate(editions):  # newest first
        around = []
        if i + 1 < len(editions):
            around.append({"rel": "prev", "text": f"Previous edition: {editions[i + 1].label}", "href": f"{editions[i + 1].id}.html"})
        if i > 0:
            around.append({"rel": "next", "text": f"Next edition: {editions[i - 1].label}", "href": f"{editions[i - 1].id}.html"})
        links[ed.id] = around
    return links


SITE_DIGEST = ".site-digest"


def site_digest(editions: list[Edition], build_dir: Path, banner: str, renderer: str) -> str:
    """A digest of everything the site is made from: each page's source, the editions' outputs, the
    registry entries, the site's code, templates and scripts, and the renderer's version."""
    from dataclasses import asdict
    from importlib import metadata

    h = hashlib.sha256(json.dumps([asdict(e) for e in editions], sort_keys=True, default=str).encode())
    h.update(banner.encode() + b"\0" + renderer.encode())
    files = [build_dir / "pages" / f"{p.name}.ipynb" for ed in editions for p in edition_pages(ed, build_dir / "pages")]
    files += sorted(f for ed in editions for f in (build_dir / ed.id).glob("*.csv"))
    files += sorted(HERE.rglob("*.py")) + sorted(TEMPLATES.rglob("*")) + sorted(STATIC.rglob("*"))
    files += [PROJECT_ROOT / "package-lock.json", PROJECT_ROOT / "docs" / "data-dictionary.md", PROJECT_ROOT / "docs" / "assumptions-and-caveats.md"]
    for f in files:
        if f.is_file():
            h.update(str(f.name).encode() + b"\0" + f.read_bytes())
    for pkg in ("nbconvert", "jupyter-leaflet", "plotly"):
        h.update(f"{pkg}={metadata.version(pkg)}".encode())
    return h.hexdigest()


def render_site(
    editions: list[Edition], build_dir: Path, site_dir: Path, *, banner: str = "", renderer: str = "nbconvert"
) -> list[Path]:
    """Render the site for ``editions`` (newest first) into ``site_dir``, atomically.

    Nothing is rendered when the site in ``site_dir`` was made from the same sources."""
    build_dir, site_dir = Path(build_dir), Path(site_dir)
    pages_dir = build_dir / "pages"
    digest = site_digest(editions, build_dir, banner, renderer)
    stamp = site_dir / SITE_DIGEST
    if stamp.is_file() and stamp.read_text().strip() == digest:
        log(f"Website unchanged: {site_dir / 'index.html'} (nothing to render)")
        return sorted(site_dir.glob("*.html"))
    log(f"Rendering the website into {site_dir} ...")
    for name, _, _, make in NARRATIVE_PAGES:
        (pages_dir / f"{name}.md").write_text(make(editions, build_dir), encoding="utf-8")
    tmp = site_dir.with_name(site_dir.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    assets = copy_assets(tmp)
    exporter = make_exporter()
    site_pages = [Page(name, title, pages_dir / f"{name}.md") for name, title, _, _ in NARRATIVE_PAGES]
    for ed in editions:
        site_pages += edition_pages(ed, pages_dir)
        dl = tmp / "downloads" / ed.id
        dl.mkdir(parents=True)
        for csv in sorted((build_dir / ed.id).glob("*.csv")):
            shutil.copy2(csv, dl / csv.name)
    # an edition's banner (e.g. "fictional sample data") is on its pages; the site's pages carry them all
    edition_banner = {p.name: ed.banner for ed in editions for p in edition_pages(ed, pages_dir) if ed.banner}
    site_banner = " ".join([banner] * bool(banner) + list(dict.fromkeys(edition_banner.values())))
    written = []
    around = edition_links(editions)
    for page in site_pages:
        page_banner = " ".join(b for b in (banner, edition_banner.get(page.name)) if b) if page.name in edition_banner else site_banner
        extra = {"banner": page_banner, "built_from": f"with Open Cyber {__version__}", "around": around.get(page.name, [])}
        html = render_page(page, exporter, assets, navigation(editions, page.name), extra)
        out = tmp / f"{page.name}.html"
        out.write_text(html, encoding="utf-8")
        written.append(site_dir / out.name)
        log(f"  page {out.name}: {len(html.encode()):,} bytes")
    (tmp / SITE_DIGEST).write_text(digest + "\n")
    old = site_dir.with_name(site_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        site_dir.rename(old)
    tmp.rename(site_dir)
    shutil.rmtree(old, ignore_errors=True)
    log(f"Website ready: {site_dir / 'index.html'}")
    return written
