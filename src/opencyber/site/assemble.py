"""The website: executed notebooks and narrative pages -> ``_site/``, one site assembly for both renderers.

:func:`prepare_pages` prepares every page once (map checks dropped, repeated geometries shared, the
banner, previous/next links and geometry store as HTML fragments, the title, the navigation from the
registry). A renderer only turns those prepared pages into HTML files in a staging folder:
:mod:`opencyber.site.nbconvert` (nbconvert and the ``opencyber`` template, always available) or
:mod:`opencyber.site.quarto` (``quarto render`` of a project generated at build time). Then
:func:`render_site` does the rest the same way for both: the site's assets, the downloads, every
page's title, the CDN script tags replaced by the site's own copies (only basemap tiles come from
outside), the check that every page was written, and the swap into ``site_dir``: the site is
assembled aside and moved into place only when complete, so a failed build never leaves a
half-written site.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat

from opencyber import __version__
from opencyber.site import downloads, publish
from opencyber.report import publication
from opencyber.stages import ACROSS_DIR as ACROSS
from opencyber.errors import RenderError
from opencyber.report.outputs import MAP_CHECK_MIME, PLOTLY_MIME
from opencyber.inputs.registry import PROJECT_ROOT, Edition
from opencyber.stages import STAGES

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
NODE_MODULES = PROJECT_ROOT / "node_modules"
#: plotly.js "basic" partial bundle (scatter, bar, pie): 1.2 MB instead of the full 4.6 MB
PLOTLY_BASIC = NODE_MODULES / "plotly.js-basic-dist-min" / "plotly-basic.min.js"

HTML_MANAGER_VERSION = "1.0.15"
REQUIREJS_VERSION = "2.3.8"
CDN = "https://cdn.jsdelivr.net/npm"


_log = logging.getLogger(__name__)


def log(msg: str) -> None:
    """A line of the build's output (a ``WARNING:`` line as a warning)."""
    if msg.startswith("WARNING"):
        _log.warning(msg)
    else:
        _log.info(msg)


@dataclass
class Assets:
    """Where a page loads its scripts from (site-relative paths, or CDN URLs as a fallback).

    With the site's own widget bundle (``widgets``: ``assets/widgets.css`` and ``assets/widgets.js``,
    see :func:`build_widget_bundle`) ``require_js`` is empty and the maps' scripts are loaded after
    the text (``assets/opencyber.js``); without it (no npm or node when the site was built) the
    pages load require.js and the Jupyter widgets manager from a CDN, in <head>, as before."""

    require_js: str
    widget_renderer: str
    plotly: str
    amd_paths: dict
    offline: bool
    widgets: tuple = ()


WIDGETS_SRC = HERE / "widgets"
ESBUILD = NODE_MODULES / "esbuild" / "lib" / "main.js"


def _npm_files() -> list[Path]:
    return [
        NODE_MODULES / "requirejs" / "require.js",
        NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist" / "embed-amd.js",
        NODE_MODULES / "@jupyter-widgets" / "base-manager" / "lib" / "manager-base.js",
        NODE_MODULES / "jupyter-leaflet" / "lib" / "Map.js",
        ESBUILD,
        PLOTLY_BASIC,
    ]


def ensure_node_modules(quiet: bool = False) -> bool:
    """Install the pinned npm packages (package-lock.json) if they are missing. True if present."""
    wanted = _npm_files()
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


def _bundle_dir() -> Path:
    """Where the widget bundle of these sources and package-lock.json is kept."""
    h = hashlib.sha256((PROJECT_ROOT / "package-lock.json").read_bytes())
    for f in sorted(WIDGETS_SRC.iterdir()):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return NODE_MODULES / ".cache" / "opencyber-widgets" / h.hexdigest()[:20]


def build_widget_bundle() -> Path | None:
    """The folder with ``widgets.js`` and ``widgets.css``: the maps' widget renderer, bundled by
    esbuild (``src/opencyber/widgets/build.mjs``) from ``widgets/entry.js`` and the pinned npm
    packages, minified, without a source map. Built once per set of sources and package-lock.json
    (cached under ``node_modules/.cache``); the same inputs give the same bytes. None, with a
    warning, when node or the packages are missing or the build fails."""
    node = shutil.which("node")
    if node is None or not ESBUILD.is_file():
        log("WARNING: node or esbuild (npm ci) is missing, so the site's widget bundle cannot be built: "
            "the maps will load require.js and the Jupyter widgets manager from a CDN (they will not show offline).")
        return None
    out = _bundle_dir()
    if (out / "widgets.js").is_file() and (out / "widgets.css").is_file():
        return out
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    proc = subprocess.run([node, str(WIDGETS_SRC / "build.mjs"), str(tmp)], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if proc.returncode != 0 or not (tmp / "widgets.js").is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        log("WARNING: the widget bundle could not be built (node src/opencyber/widgets/build.mjs), so the maps "
            "will load require.js and the Jupyter widgets manager from a CDN:\n" + (proc.stderr or proc.stdout).strip()[-800:])
        return None
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    return out


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


#: the rules of JupyterLab's CSS that the maps' widgets can use (:func:`write_text_css`), loaded with them
WIDGETS_JUPYTER_CSS = "widgets-jupyter.css"
#: the Assets of a site with its own widget bundle (what :func:`copy_assets` returns then)
BUNDLED_ASSETS = Assets("", "assets/widgets.js", "assets/plotly.min.js", {}, True,
                        (f"assets/{WIDGETS_JUPYTER_CSS}", "assets/widgets.css", "assets/widgets.js"))


def copy_assets(site: Path) -> Assets:
    """Copy plotly.js, the maps' widget bundle (or, without npm, jupyter-leaflet for the CDN's
    widget manager) and our CSS/JS to assets/."""
    import plotly

    assets = site / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    have_npm = ensure_node_modules()
    plotly_js = PLOTLY_BASIC if have_npm else Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    shutil.copy2(plotly_js, assets / "plotly.min.js")
    for name in ("site.css", "opencyber.js"):
        shutil.copy2(STATIC / name, assets / name)
    bundle = build_widget_bundle() if have_npm else None
    if bundle is not None:
        for name in ("widgets.css", "widgets.js"):
            shutil.copy2(bundle / name, assets / name)
        (assets / "jupyter.css").write_text(jupyter_css(), encoding="utf-8")
        return BUNDLED_ASSETS
    (assets / "jupyter.css").write_text(jupyter_css(), encoding="utf-8")
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


def jupyter_css() -> str:
    """JupyterLab's notebook styles and light theme, as nbconvert's lab template has them."""
    lab = jupyter_data_file("nbconvert", "nbconvert", "templates", "lab", "static", "index.css").parent
    return (lab / "index.css").read_text(encoding="utf-8") + "\n" + (lab / "theme-light.css").read_text(encoding="utf-8")


def lazy_scripts_html(kind: str, urls) -> str:
    """The list of stylesheets and scripts that ``assets/opencyber.js`` loads after the page's text
    (``kind``: ``maps`` or ``charts``)."""
    return f'<script type="application/json" class="oc-lazy">{json.dumps({kind: list(urls)})}</script>'


# ---------------------------------------------------------------------------------------------
# the styles of the pages without widgets: the rules of JupyterLab's CSS that they can use

_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def _css_blocks(css: str):
    """Top-level (prelude, body) pairs of a stylesheet without comments; body None for a statement."""
    i, n = 0, len(css)
    while i < n:
        j = i
        while j < n and css[j] not in "{;":
            j += 1
        if j >= n:
            break
        prelude = css[i:j].strip()
        if css[j] == ";":
            yield prelude, None
            i = j + 1
            continue
        depth, k = 1, j + 1
        while k < n and depth:
            depth += {"{": 1, "}": -1}.get(css[k], 0)
            k += 1
        yield prelude, css[j + 1 : k - 1]
        i = k


def _split_selectors(prelude: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in prelude:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return out + [cur.strip()] if cur.strip() else out


def css_subset(css: str, classes: set[str]) -> str:
    """The rules of ``css`` that can apply to pages whose elements have only ``classes``: a selector
    is kept when every class it names is one of them (so a rule is never dropped that could match);
    @media and @supports keep the rules inside them that are kept; other at-rules (@font-face,
    @keyframes, small) are kept as they are."""

    rules: list[list] = []  # [selectors, declarations] of every rule kept, to drop unused custom properties

    def walk(text: str) -> str:
        out = []
        for prelude, body in _css_blocks(text):
            if body is None:
                if not prelude.startswith("@import"):
                    out.append(prelude + ";")
            elif prelude.startswith(("@media", "@supports", "@layer")):
                inner = walk(body)
                if inner:
                    out.append(f"{prelude}{{{inner}}}")
            elif prelude.startswith("@"):
                out.append(f"{prelude}{{{body.strip()}}}")
            else:
                # a class inside :not() need not be on the page for the selector to match
                kept = [s for s in _split_selectors(prelude) if set(_CSS_CLASS.findall(_CSS_NOT.sub("", s))) <= classes]
                if kept:
                    rules.append([",".join(kept), _declarations(body)])
                    out.append(f"\0{len(rules) - 1}\0")
        return "\n".join(out)

    skeleton = walk(_CSS_COMMENT.sub("", css))
    # custom properties (--jp-...) are kept only when a kept rule uses them, directly or through another
    defined: dict[str, list[str]] = {}
    used: set[str] = set()
    for _, decls in rules:
        for d in decls:
            name, _, value = d.partition(":")
            if name.strip().startswith("--"):
                defined.setdefault(name.strip(), []).append(value)
            else:
                used |= set(_CSS_VAR.findall(value))
    todo = list(used)
    while todo:
        for value in defined.get(todo.pop(), []):
            for v in _CSS_VAR.findall(value):
                if v not in used:
                    used.add(v)
                    todo.append(v)

    def rule(m: re.Match) -> str:
        selectors, decls = rules[int(m.group(1))]
        kept = [d for d in decls if not d.partition(":")[0].strip().startswith("--") or d.partition(":")[0].strip() in used]
        return f"{selectors}{{{';'.join(kept)}}}" if kept else ""

    text = re.sub(r"\0(\d+)\0", rule, skeleton)
    return "\n".join(line for line in text.splitlines() if line) + "\n"


_CSS_VAR = re.compile(r"var\(\s*(--[\w-]+)")
_CSS_NOT = re.compile(r":not\([^()]*\)")


def _declarations(body: str) -> list[str]:
    """A rule's declarations, split at the semicolons outside brackets and quotes (data: URLs have some)."""
    out, depth, quote, cur = [], 0, "", ""
    for ch in body:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        cur += ch
    return [d for d in out + [cur.strip()] if d]


_HTML_CLASS = re.compile(r'\bclass="([^"]*)"')


def page_classes(html: str) -> set[str]:
    return {c for m in _HTML_CLASS.findall(html) for c in m.split()}


TEXT_CSS = "notebook.css"


def write_text_css(assets: Path, htmls: list[str], widget_htmls: list[str] = ()) -> None:
    """``assets/notebook.css``: the rules of JupyterLab's CSS (``assets/jupyter.css``) that the pages'
    text can use (the classes in their HTML), instead of all 250 KB of it: the one stylesheet of
    JupyterLab's in every page's <head>. With the site's widget bundle, also
    ``assets/widgets-jupyter.css``: the rules the maps' widgets can use besides (the classes of the
    pages with maps and every name in ``widgets.js``, which draws them), loaded with the maps after
    the text, so that no page waits for JupyterLab's whole stylesheet before showing its text."""
    jupyter = (assets / "jupyter.css").read_text(encoding="utf-8")
    classes = set().union(*(page_classes(h) for h in htmls)) if htmls else set()
    text = css_subset(jupyter, classes)
    (assets / TEXT_CSS).write_text(
        "/* The rules of JupyterLab's notebook CSS (assets/jupyter.css) that the pages' text can use */\n" + text,
        encoding="utf-8",
    )
    bundle = assets / "widgets.js"
    if bundle.is_file():
        names = set(re.findall(r"[A-Za-z_][\w-]*", bundle.read_text(encoding="utf-8")))
        names |= set().union(*(page_classes(h) for h in widget_htmls)) if widget_htmls else set()
        (assets / WIDGETS_JUPYTER_CSS).write_text(
            "/* The rules of JupyterLab's notebook CSS (assets/jupyter.css) that the maps' widgets can use */\n"
            + css_subset(jupyter, names), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# pages


@dataclass
class Page:
    name: str  # output file stem: index, 2022-23, 2022-23-curation
    title: str
    source: Path  # an executed notebook (.ipynb) or a Markdown file (.md)


def edition_pages(edition: Edition, pages_dir: Path) -> list[Page]:
    """The pages of an edition, one per stage: the report's (the edition's own page), then the others."""
    return [Page(f"{edition.id}{s.page_suffix}", s.title.format(label=edition.label), pages_dir / f"{edition.id}{s.page_suffix}.ipynb")
            for s in sorted(STAGES, key=lambda s: s.page_suffix != "")]


#: narrative pages: (page name, title, navigation text, the function of :mod:`opencyber.report.pages` that
#: writes its Markdown from (editions, build_dir)); the pages module (and pandas) is imported only
#: when the pages are written, not for a build that finds the site unchanged
NARRATIVE_PAGES = (
    ("index", "Home", "Home", "home_markdown"),
    ("finder", "Find an organisation", "Find an organisation", "finder_markdown"),
    ("trends", "Trends across editions", "Trends", "trends_markdown"),
    ("sectors", "All sectors of the full DSPT export", "All sectors", "sectors_markdown"),
    ("methodology", "Methodology", "Methodology", "methodology_markdown"),
    ("data", "Data and downloads", "Data", "data_markdown"),
    ("accessibility", "Accessibility statement", "Accessibility", "accessibility_markdown"),
)


def narrative_markdown(maker: str, editions: list[Edition], build_dir: Path) -> str:
    """A narrative page's Markdown, written by ``pages.<maker>``."""
    from opencyber.report import pages

    make = getattr(pages, maker)
    return make() if maker == "accessibility_markdown" else make(editions, build_dir)


#: what the narrative pages read besides the build's outputs: the data dictionary (methodology)
#: and the publisher (accessibility)
NARRATIVE_READS = (PROJECT_ROOT / "docs" / "data-dictionary.md", publication.SITE_FILE)


def _narrative_inputs(editions: list[Edition], build_dir: Path) -> str:
    """A digest of everything the narrative pages read: each shown edition's outputs and the outputs
    across editions (every file, by path and bytes; not the build's digest files, which change when a
    notebook's source does), and :data:`NARRATIVE_READS`."""
    h = hashlib.sha256()
    folders = [build_dir / ed.id for ed in editions] + [build_dir / ACROSS]
    files = [f for d in folders for f in sorted(d.rglob("*")) if f.is_file() and not f.name.startswith(".")]
    for f in [*files, *NARRATIVE_READS]:
        h.update(str(f).encode() + b"\0" + (f.read_bytes() if f.is_file() else b"<missing>") + b"\0")
    return h.hexdigest()


def narrative_page(maker: str, editions: list[Edition], build_dir: Path, inputs: str) -> tuple[str, nbformat.NotebookNode]:
    """A narrative page's Markdown and the notebook the renderers get (its widgets embedded), from the
    build's cache when the outputs it reads are those it was made from (``inputs``: their digest,
    :func:`_narrative_inputs`): an edit of an edition's report notebook, which leaves them as they
    were, does not make the pages again (nor import pandas, plotly and the maps for them)."""
    from dataclasses import asdict

    from opencyber import cache

    def make() -> tuple[str, nbformat.NotebookNode]:
        text = narrative_markdown(maker, editions, build_dir)
        return text, _markdown_notebook(text, build_dir)

    key = [maker, str(build_dir), [asdict(e) for e in editions], inputs]
    return cache.stored("narrative", key, make)


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


#: where a narrative page's Markdown asks for a widget (pages.PAGE_WIDGETS names the builders)
_WIDGET_MARK = re.compile(r"^<!-- oc-widget:([a-z0-9-]+) -->$", re.M)


def _markdown_notebook(text: str, build_dir: Path | None = None) -> nbformat.NotebookNode:
    """A narrative page as a notebook: its Markdown, and at each ``<!-- oc-widget:NAME -->`` line the
    widget that ``pages.PAGE_WIDGETS[NAME]`` builds from ``build_dir``, embedded as a notebook
    stores it (an output and the widget state), so that the renderers draw it like an edition's map."""
    from opencyber.report import pages

    parts = _WIDGET_MARK.split(text)
    cells, state = [nbformat.v4.new_markdown_cell(parts[0])], {}
    for i in range(1, len(parts), 2):
        name, rest = parts[i], parts[i + 1]
        builder = pages.PAGE_WIDGETS.get(name)
        if builder is None:
            raise RenderError(f"a page asks for widget {name!r}, which pages.PAGE_WIDGETS does not know")
        output, widget_state = builder(build_dir)
        code = nbformat.v4.new_code_cell(f"# widget {name}", outputs=[output])
        cells += [code, nbformat.v4.new_markdown_cell(rest)]
        state.update(widget_state)
    nb = nbformat.v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell["id"] = "home" if i == 0 else f"part-{i}"
    if state:
        nb.metadata["widgets"] = {WIDGET_STATE: {"version_major": 2, "version_minor": 0, "state": state}}
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


GEOMETRY_DELTA = "OcDelta"
#: how deep the rings are in each kind of geometry's coordinates (a ring: a list of [x, y])
_RING_DEPTH = {"LineString": 0, "MultiLineString": 1, "Polygon": 1, "MultiPolygon": 2}


def _delta_ring(ring: list, scale: int) -> list[int] | None:
    out, px, py = [], 0, 0
    for point in ring:
        if len(point) != 2:
            return None
        x, y = (round(v * scale) for v in point)
        if x / scale != point[0] or y / scale != point[1]:  # not exact at this scale
            return None
        out += [x - px, y - py]
        px, py = x, y
    return out


def delta_geometry(geometry: dict) -> dict:
    """A line or polygon geometry written compactly and losslessly: each ring as the differences
    between its successive points in units of 10^-k degrees (the smallest k, up to 7, at which every
    coordinate is exact), ``{"type": "OcDelta", "of": "Polygon", "scale": 10000, "d": [...]}``;
    ``assets/opencyber.js`` turns it back into the same numbers before the maps are drawn. The
    maps' polygons have 4 decimals, so this makes the rings' numbers small (gzip: a third smaller).
    Any other geometry, or one no scale is exact for, is returned as it is."""
    depth = _RING_DEPTH.get(geometry.get("type"))
    if depth is None or set(geometry) != {"type", "coordinates"}:
        return geometry

    def encode(coords, level, scale):
        if level == 0:
            return _delta_ring(coords, scale)
        parts = [encode(c, level - 1, scale) for c in coords]
        return None if any(p is None for p in parts) else parts

    for k in range(8):
        d = encode(geometry["coordinates"], depth, 10**k)
        if d is not None:
            return {"type": GEOMETRY_DELTA, "of": geometry["type"], "scale": 10**k, "d": d}
    return geometry


def delta_geometries(nb, store: dict) -> None:
    """Write every line and polygon of the page's maps (in the widget state and in the shared store)
    with :func:`delta_geometry`."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model in state.values():
        if model.get("model_name") == "LeafletGeoJSONModel":
            for f in (model.get("state", {}).get("data") or {}).get("features", []):
                if isinstance(f, dict) and isinstance(f.get("geometry"), dict):
                    f["geometry"] = delta_geometry(f["geometry"])
    for key, geometry in store.items():
        store[key] = delta_geometry(geometry)


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


def site_digest(editions: list[Edition], build_dir: Path, banner: str, renderer: str) -> str:
    """A digest of everything the site is made from: each page's source, the editions' outputs, the
    registry entries, the site's code, templates and scripts, and the renderer's version."""
    from dataclasses import asdict
    from importlib import metadata

    h = hashlib.sha256(json.dumps([asdict(e) for e in editions], sort_keys=True, default=str).encode())
    h.update(banner.encode() + b"\0" + renderer.encode() + b"\0" + publication.digest_text().encode())
    files = [build_dir / "pages" / f"{p.name}.ipynb" for ed in editions for p in edition_pages(ed, build_dir / "pages")]
    files += sorted(f for ed in editions for f in (build_dir / ed.id).glob("*.csv"))
    files += sorted((build_dir / ACROSS).glob("*"))  # the outputs across editions (finder, trends, sectors)
    files += sorted(HERE.rglob("*.py")) + sorted(TEMPLATES.rglob("*")) + sorted(STATIC.rglob("*")) + sorted(WIDGETS_SRC.rglob("*"))
    files += [PROJECT_ROOT / "package-lock.json", PROJECT_ROOT / "docs" / "data-dictionary.md", PROJECT_ROOT / "docs" / "assumptions-and-caveats.md"]
    for f in files:
        if f.is_file():
            h.update(str(f.name).encode() + b"\0" + f.read_bytes())
    for pkg in ("nbconvert", "jupyter-leaflet", "plotly"):
        h.update(f"{pkg}={metadata.version(pkg)}".encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# the prepared pages, the renderers and the one site assembly

RENDERERS = ("nbconvert", "quarto")


def choose_renderer(renderer: str = "auto") -> str:
    """``auto`` is Quarto when ``quarto`` is on PATH, else the built-in nbconvert renderer."""
    if renderer == "auto":
        return "quarto" if shutil.which("quarto") else "nbconvert"
    if renderer not in RENDERERS:
        raise RenderError(f"unknown renderer {renderer!r}: choose auto, quarto or nbconvert")
    if renderer == "quarto" and not shutil.which("quarto"):
        raise RenderError("--renderer quarto: quarto is not on PATH (install Quarto, or use --renderer nbconvert)")
    return renderer


def _renderer_module(renderer: str):
    if renderer == "quarto":
        from opencyber.site import quarto as module
    else:
        from opencyber.site import nbconvert as module
    return module


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
    """The site's search box (every page, in the header): it finds an organisation by name or code
    on the finder page, which reads ``?q=`` (a GOV.UK-style header search, the third tab stop)."""
    return (
        '\n<form class="oc-search" action="finder.html" method="get" role="search" aria-label="Find an NHS organisation">'
        '<label class="oc-visually-hidden" for="oc-q">Find an NHS organisation by name or ODS code</label>'
        '<input type="search" id="oc-q" name="q" autocomplete="off" spellcheck="false" placeholder="Name or ODS code">'
        '<button type="submit">Search</button></form>'
    )


def banner_html(banner: str) -> str:
    return f'\n<p class="oc-banner" role="note">{_esc(banner)}</p>' if banner else ""


def around_html(links: list[dict]) -> str:
    if not links:
        return ""
    items = "".join(f'\n  <li><a rel="{l["rel"]}" href="{l["href"]}">{_esc(l["text"])}</a></li>' for l in links)
    return f'\n<nav class="oc-around" aria-label="Other editions"><ul>{items}\n</ul></nav>'


def geometries_html(store: dict) -> str:
    """Geometries that several map layers draw, carried once (:func:`share_repeated_geometries`)."""
    if not store:
        return ""
    text = json.dumps(store, separators=(",", ":")).replace("/", "\\/")  # nbconvert's escape_html_script
    return f'\n<script type="application/json" id="oc-geometries">{text}</script>'


def site_pages(editions: list[Edition], pages_dir: Path) -> list[Page]:
    """Every page of the site, in order: the narrative pages, then each edition's three pages."""
    out = [Page(name, title, pages_dir / f"{name}.md") for name, title, _, _ in NARRATIVE_PAGES]
    for ed in editions:
        out += edition_pages(ed, pages_dir)
    return out


def prepare_pages(editions: list[Edition], build_dir: Path, banner: str = "", only: set[str] | None = None) -> list[PreparedPage]:
    """Write the narrative pages' Markdown, then prepare every page of the site once, for any
    renderer. ``only``: prepare just the pages of these names (and write no Markdown)."""
    pages_dir = build_dir / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    makers = {name: maker for name, _, _, maker in NARRATIVE_PAGES if only is None or name in only}
    inputs = _narrative_inputs(editions, build_dir) if makers else ""  # the files they read, read once
    narrative = {}
    for name, maker in makers.items():
        text, narrative[name] = narrative_page(maker, editions, build_dir, inputs)
        if only is None:
            (pages_dir / f"{name}.md").write_text(text, encoding="utf-8")
    # an edition's banner (e.g. "fictional sample data") is on its pages; the site's pages carry them all
    edition_banner = {p.name: ed.banner for ed in editions for p in edition_pages(ed, pages_dir) if ed.banner}
    site_banner = " ".join([banner] * bool(banner) + list(dict.fromkeys(edition_banner.values())))
    around = edition_links(editions)
    prepared = []
    for page in site_pages(editions, pages_dir):
        if only is not None and page.name not in only:
            continue
        if page.name in narrative:
            nb = narrative[page.name]
        else:
            # the build's own executed notebook, validated when nbformat wrote it (reading it with
            # nbformat.read would validate it again: a fifth of the time this takes)
            nb = drop_test_outputs(nbformat.v4.reads_json(page.source.read_text(encoding="utf-8")))
        geometries = share_repeated_geometries(nb)
        delta_geometries(nb, geometries)
        has_chart = any(PLOTLY_MIME in out.get("data", {}) for cell in nb.cells for out in cell.get("outputs", []))
        page_banner = " ".join(b for b in (banner, edition_banner.get(page.name)) if b) if page.name in edition_banner else site_banner
        fragments = {
            "search_html": search_html(),
            "banner_html": banner_html(page_banner),
            "around_html": around_html(around.get(page.name, [])),
            "geometries_html": geometries_html(geometries),
        }
        prepared.append(
            PreparedPage(
                page.name, page.title, nb, navigation(editions, page.name), has_chart, "widgets" in nb.metadata,
                fragments, f"with Open Cyber {__version__}",
            )
        )
    return prepared


# Quarto (and any renderer that follows Jupyter's defaults) loads the widgets' scripts from a CDN;
# the site serves its own copies (the same as the nbconvert template's), so that only tiles leave it.
_CDN_SCRIPT = re.compile(r'[ \t]*<script\b[^>]*\bsrc="https://cdn\.jsdelivr\.net/npm/((?:@[^"/@]+/)?[^"/@]+)@[^"]*"[^>]*>\s*</script>\n?')
_DEFINE_JQUERY = re.compile(r"[ \t]*<script[^>]*>\s*define\('jquery',\s*\[\],\s*function\(\)\s*\{\s*return window\.jQuery;\s*\}\)\s*</script>\n?")
_OPENCYBER_JS = re.compile(r'[ \t]*<script\b[^>]*\bsrc="(?:\./)?assets/opencyber\.js"[^>]*>\s*</script>\n?')


class CdnScriptError(ValueError):
    pass


def localise_scripts(html: str, assets: Assets) -> str:
    """Replace a page's CDN script tags by the site's own copies.

    With the site's widget bundle, require.js and jQuery are dropped and the widgets manager becomes
    the list of the bundle's files that ``assets/opencyber.js`` loads after the text. Without it,
    jQuery is dropped (nothing on the pages needs it: the nbconvert pages do without); require.js is
    followed by the ``require.config`` that loads jupyter-leaflet from ``assets/`` and by
    ``assets/opencyber.js`` (which hooks into require.js, so it must come after it, and before the
    widget manager); the widgets manager is ``assets/html-manager/embed-amd.js``. A CDN script the
    site has no copy of is an error (the page would not work offline). A page without CDN scripts
    is returned unchanged.
    """
    found = _CDN_SCRIPT.findall(html)
    if not found:
        return html
    unknown = [p for p in found if p not in ("jquery", "requirejs", "@jupyter-widgets/html-manager")]
    if unknown:
        raise CdnScriptError(f"a script from the CDN that the site has no copy of: {unknown[0]}")
    html = _DEFINE_JQUERY.sub("", html)
    if not assets.require_js:  # the site's widget bundle, loaded after the text by assets/opencyber.js
        ours = '<script src="assets/opencyber.js"></script>\n' * (not _OPENCYBER_JS.search(html))

        def bundle(m: re.Match) -> str:
            if m.group(1) == "@jupyter-widgets/html-manager":
                return ours + lazy_scripts_html("maps", assets.widgets) + "\n"
            return ""

        return _CDN_SCRIPT.sub(bundle, html)
    if "requirejs" in found:
        html = _OPENCYBER_JS.sub("", html)

    def local(m: re.Match) -> str:
        package = m.group(1)
        if package == "jquery":
            return ""
        if package == "requirejs":
            return (
                f'<script src="{assets.require_js}"></script>\n'
                f"<script>require.config({{paths: {json.dumps(assets.amd_paths)}}});</script>\n"
                '<script src="assets/opencyber.js"></script>\n'
            )
        return f'<script src="{assets.widget_renderer}"></script>\n'

    return _CDN_SCRIPT.sub(local, html)


_STATE_SCRIPT = re.compile(r'<script type="application/vnd\.jupyter\.widget-state\+json">\s*(.*?)\s*</script>', re.S)
_GEOMETRY_STORE = re.compile(r'\n?<script type="application/json" id="oc-geometries">(.*?)</script>', re.S)
_LAZY_MAPS = re.compile(r'(<script type="application/json" class="oc-lazy">\{"maps": \[)(.*?\]\}</script>)')
MAPS_DIR = "maps"


def externalise_map_state(html: str, name: str, assets_dir: Path) -> str:
    """Keep a page's maps apart from its text: the widget state and the shared geometries (most of
    an edition page's bytes) go to ``assets/maps/<name>.js``, which is loaded with the maps' scripts
    (first in the page's lazy list), when the reader comes near a map; the page keeps an empty state
    tag for ``assets/opencyber.js`` to fill (``OpenCyber.mapState``). A script file, not JSON, so
    that a site opened from files works too. A page without maps, or whose maps load the usual way
    (no lazy list: the site's widget bundle was not built), is returned unchanged."""
    state, lazy = _STATE_SCRIPT.search(html), _LAZY_MAPS.search(html)
    if state is None or lazy is None:
        return html
    store = _GEOMETRY_STORE.search(html)
    url = f"assets/{MAPS_DIR}/{name}.js"
    target = Path(assets_dir) / MAPS_DIR / f"{name}.js"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"window.OpenCyber.mapState({state.group(1)},{store.group(1) if store else '{}'});\n", encoding="utf-8")
    html = html[: state.start()] + '<script type="application/vnd.jupyter.widget-state+json"></script>' + html[state.end():]
    if store is not None:
        html = _GEOMETRY_STORE.sub("", html, count=1)
    return _LAZY_MAPS.sub(lambda m: f'{m.group(1)}{json.dumps(url)}, {m.group(2)}', html, count=1)


_TITLE = re.compile(r"<title>.*?</title>", re.S)


def html_title(title: str) -> str:
    """A page's one ``<title>``: its title, then the site's name."""
    return f"{title} | Open Cyber"


_PLAIN_TABLE = re.compile(r"<table(?![^>]*\boc-table\b)([^>]*)>(.*?)</table>", re.S)


def wrap_plain_tables(html: str) -> str:
    """Put each table written in Markdown (a narrative page's) in a labelled, focusable region that
    scrolls sideways on a small screen, as the notebooks' tables are (tables.table_html)."""

    def wrap(m: re.Match) -> str:
        return (
            '<div class="oc-table-wrap" role="region" tabindex="0" aria-label="Table (scrolls sideways on a small screen)">'
            f"<table{m.group(1)}>{m.group(2)}</table></div>"
        )

    return _PLAIN_TABLE.sub(wrap, html)


_FIRST_H1_END = re.compile(r"</h1>", re.I)
_FOOTER = re.compile(r'<footer class="oc-footer">.*?</footer>', re.S)
_BODY_END = re.compile(r"</body>", re.I)


def add_publication(html: str, footer: str, dates: str = "") -> str:
    """The site's footer on every page (the built-in template's is replaced; a page without one, as
    Quarto's, gets it before ``</body>``) and, on an edition page, its dates under the page's title."""
    block = f'<footer class="oc-footer">{footer}</footer>'
    if _FOOTER.search(html):
        html = _FOOTER.sub(lambda m: block, html, count=1)
    else:
        html = _BODY_END.sub(lambda m: block + "\n</body>", html, count=1)
    if dates:
        html = _FIRST_H1_END.sub(lambda m: "</h1>" + dates, html, count=1)
    return html


def set_title(html: str, title: str) -> str:
    """Give the page the site's ``<title>`` (the renderers' own conventions differ)."""
    return _TITLE.sub(lambda m: f"<title>{_esc(html_title(title))}</title>", html, count=1)


def copy_across(build_dir: Path, site: Path) -> None:
    """The outputs across editions (build/all-editions): the finder's JSON under assets/data (each
    also as a script, ``window.OC_<NAME>``, for a site opened from files, where fetch() cannot read),
    the CSVs under downloads/all-editions, and the finder's script and styles."""
    across = build_dir / ACROSS
    for name in ("finder.js", "finder.css"):
        shutil.copy2(STATIC / name, site / "assets" / name)
    if not across.is_dir():
        return
    data = site / "assets" / "data"
    data.mkdir(parents=True, exist_ok=True)
    dl = site / "downloads" / ACROSS
    dl.mkdir(parents=True, exist_ok=True)
    for f in sorted(across.glob("*.json")):
        shutil.copy2(f, data / f.name)
        var = "OC_" + f.stem.upper()
        (data / f"{f.stem}.js").write_text(f"window.{var}=" + f.read_text(encoding="utf-8").strip() + ";\n", encoding="utf-8")
    for f in sorted(across.glob("*.csv")):
        downloads.copy_csv(f, dl / f.name)


def render_site(
    editions: list[Edition], build_dir: Path, site_dir: Path, *, banner: str = "", renderer: str = "nbconvert"
) -> list[Path]:
    """Render the site for ``editions`` (newest first) into ``site_dir``, atomically, with
    ``renderer`` (``nbconvert``, ``quarto`` or ``auto``).

    Both renderers are fed the same prepared pages and their output goes through the same assembly:
    the site's assets and downloads, the local copies of the scripts, the check that every page
    was written, the swap into ``site_dir``. Nothing is rendered when the site in ``site_dir`` was
    made from the same sources."""
    build_dir, site_dir = Path(build_dir), Path(site_dir)
    renderer = choose_renderer(renderer)
    module = _renderer_module(renderer)
    digest = site_digest(editions, build_dir, banner, f"{renderer} {module.version()}")
    with publish.exclusive(publish.releases_dir(site_dir), "the site"):
        publish.claim_site_dir(site_dir)
        if publish.manifest(site_dir).get("digest") == digest:
            log(f"Website unchanged: {site_dir / 'index.html'} (nothing to render)")
            return sorted(site_dir.glob("*.html"))
        return _render_site(editions, build_dir, site_dir, banner, renderer, module, digest)


def _render_site(editions, build_dir: Path, site_dir: Path, banner: str, renderer: str, module, digest: str) -> list[Path]:
    log(f"Rendering the website into {site_dir} ({renderer}) ...")
    publisher = publication.load_publisher()
    if publication.missing_contact(publisher):
        log(
            f"WARNING: {publication.SITE_FILE.name} sets no {' and no '.join(publication.missing_contact(publisher))}: "
            "the pages say that this copy of the report has no contact address yet (set them before publishing)"
        )
    footer = publication.footer_html(publisher)
    edition_of = {p.name: ed for ed in editions for p in edition_pages(ed, build_dir / "pages")}
    prepared = prepare_pages(editions, build_dir, banner)
    tmp = publish.new_release(site_dir)
    try:
        assets = copy_assets(tmp)
        module.render(prepared, tmp, assets, log, build_dir=build_dir, editions=editions)
        missing = [p.name for p in prepared if not (tmp / f"{p.name}.html").is_file()]
        if missing:
            raise RenderError(f"{renderer} wrote no {missing[0]}.html ({len(missing)} of {len(prepared)} page(s) missing); the previous site is kept")
        htmls = {p.name: (tmp / f"{p.name}.html").read_text(encoding="utf-8") for p in prepared}
        write_text_css(tmp / "assets", list(htmls.values()) if assets.widgets else [htmls[p.name] for p in prepared if not p.has_widgets],
                       [htmls[p.name] for p in prepared if p.has_widgets])
        for page in prepared:
            out = tmp / f"{page.name}.html"
            text = out.read_text(encoding="utf-8")
            try:
                local = wrap_plain_tables(set_title(localise_scripts(text, assets), page.title))
                local = externalise_map_state(local, page.name, tmp / "assets")
                ed = edition_of.get(page.name)
                local = add_publication(local, footer, publication.dates_html(ed) if ed else "")
            except CdnScriptError as exc:
                raise RenderError(f"page {out.name}: {exc}; the previous site is kept") from None
            if local != text:
                out.write_text(local, encoding="utf-8")
        for ed in editions:
            dl = tmp / "downloads" / ed.id
            dl.mkdir(parents=True, exist_ok=True)
            for csv in sorted((build_dir / ed.id).glob("*.csv")):
                downloads.copy_csv(csv, dl / csv.name)
        copy_across(build_dir, tmp)
    except BaseException:  # a failed or interrupted render leaves no partial site behind
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publish.switch(site_dir, tmp, {"digest": digest, "editions": [ed.id for ed in editions]})
    log(f"Website ready: {site_dir / 'index.html'}")
    return [site_dir / f"{p.name}.html" for p in prepared]
