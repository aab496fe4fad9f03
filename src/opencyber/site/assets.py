"""The site's own scripts and styles, so that only basemap tiles come from outside: the npm packages pinned by package-lock.json, the maps' widget bundle (esbuild), plotly.js, JupyterLab's styles, and where each page loads them from."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from opencyber.settings import PROJECT_ROOT

log = logging.getLogger(__name__)


HERE = Path(__file__).resolve().parent


TEMPLATES = HERE / "templates"


STATIC = HERE / "static"


NODE_MODULES = PROJECT_ROOT / "node_modules"


#: plotly.js "basic" partial bundle (scatter, bar, pie): 1.2 MB instead of the full 4.6 MB
PLOTLY_BASIC = NODE_MODULES / "plotly.js-basic-dist-min" / "plotly-basic.min.js"


HTML_MANAGER_VERSION = "1.0.15"


REQUIREJS_VERSION = "2.3.8"


CDN = "https://cdn.jsdelivr.net/npm"


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
        log.warning(
            "WARNING: npm is not installed, so require.js and the Jupyter widgets HTML manager cannot be "
            "served from the site: the maps will load them from a CDN (they will not show offline). "
            "Install Node.js/npm, or copy a node_modules folder from a machine that has it."
        )
        return False
    log.info("Installing the site's JavaScript packages (npm ci, pinned by package-lock.json) ...")
    proc = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0 or not all(p.is_file() for p in wanted):
        log.warning(
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
    esbuild (``src/opencyber/site/widgets/build.mjs``) from ``widgets/entry.js`` and the pinned npm
    packages, minified, without a source map. Built once per set of sources and package-lock.json
    (cached under ``node_modules/.cache``); the same inputs give the same bytes. None, with a
    warning, when node or the packages are missing or the build fails."""
    node = shutil.which("node")
    if node is None or not ESBUILD.is_file():
        log.warning(
            "WARNING: node or esbuild (npm ci) is missing, so the site's widget bundle cannot be built: "
            "the maps will load require.js and the Jupyter widgets manager from a CDN (they will not show offline)."
        )
        return None
    out = _bundle_dir()
    if (out / "widgets.js").is_file() and (out / "widgets.css").is_file():
        return out
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    proc = subprocess.run(
        [node, str(WIDGETS_SRC / "build.mjs"), str(tmp)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    if proc.returncode != 0 or not (tmp / "widgets.js").is_file():
        shutil.rmtree(tmp, ignore_errors=True)
        log.warning(
            "WARNING: the widget bundle could not be built (node src/opencyber/site/widgets/build.mjs), so the maps "
            "will load require.js and the Jupyter widgets manager from a CDN:\n"
            + (proc.stderr or proc.stdout).strip()[-800:]
        )
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
BUNDLED_ASSETS = Assets(
    "",
    "assets/widgets.js",
    "assets/plotly.min.js",
    {},
    True,
    (f"assets/{WIDGETS_JUPYTER_CSS}", "assets/widgets.css", "assets/widgets.js"),
)


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
    return (
        (lab / "index.css").read_text(encoding="utf-8") + "\n" + (lab / "theme-light.css").read_text(encoding="utf-8")
    )


def lazy_scripts_html(kind: str, urls) -> str:
    """The list of stylesheets and scripts that ``assets/opencyber.js`` loads after the page's text
    (``kind``: ``maps`` or ``charts``)."""
    return f'<script type="application/json" class="oc-lazy">{json.dumps({kind: list(urls)})}</script>'
