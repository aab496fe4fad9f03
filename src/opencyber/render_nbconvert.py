"""The built-in renderer: prepared pages -> HTML with nbconvert and the ``opencyber`` template.

It only turns each prepared page (:class:`opencyber.render.PreparedPage`) into an HTML file; the site
assembly (assets, downloads, banners, navigation, the atomic swap) is :mod:`opencyber.render`'s.
"""

from __future__ import annotations

import re
from pathlib import Path

NAME = "nbconvert"


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

    from .render import TEMPLATES

    nbconvert_dirs = nbconvert_template_dirs()
    return HTMLExporter(
        template_name="opencyber",
        extra_template_basedirs=[str(TEMPLATES), *nbconvert_dirs],
        extra_template_paths=nbconvert_dirs,  # so that "lab/base.html.j2" resolves there too
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def render_page(page, exporter, assets) -> str:
    """One prepared page as HTML (the template places the site's fragments: navigation, banner,
    previous/next links, the geometry store)."""
    from .render import TEXT_CSS, html_title, lazy_scripts_html

    resources = {
        "oc": {
            "title": page.title,
            "html_title": html_title(page.title),
            "nav": page.nav,
            "require_js": assets.require_js,
            "widget_renderer": assets.widget_renderer,
            "amd_paths": assets.amd_paths,
            # the JupyterLab styles only where the maps' widgets are; elsewhere the rules of them the
            # pages can use (written by render.write_text_css once every page is rendered)
            "notebook_css": "assets/jupyter.css" if page.has_widgets else f"assets/{TEXT_CSS}",
            # scripts loaded after the text (assets/opencyber.js)
            "lazy_html": "\n".join(
                lazy_scripts_html(kind, urls)
                for kind, urls, wanted in (
                    ("charts", [assets.plotly], page.has_chart),
                    ("maps", assets.widgets, page.has_widgets and assets.widgets),
                )
                if wanted
            ),
            "built_from": page.built_from,
            **page.fragments,
        }
    }
    body, _ = exporter.from_notebook_node(page.nb, resources=resources)
    return _WRAPPER_TAB_STOP.sub(r"\1", body)


#: the lab template makes every cell and output wrapper a tab stop; none of them is interactive
_WRAPPER_TAB_STOP = re.compile(r'(<div class="(?:jp-Cell-inputWrapper|jp-RenderedHTMLCommon|jupyter-widgets)[^"]*"[^>]*?)\s+tabindex="0"')


def version() -> str:
    from importlib import metadata

    return metadata.version("nbconvert")


def render(pages: list, out_dir: Path, assets, log, **_) -> None:
    """Write ``<name>.html`` for every prepared page into ``out_dir``."""
    from . import render_nbconvert as this  # looked up at call time, so that tests can interrupt a page

    exporter = make_exporter()
    for page in pages:
        html = this.render_page(page, exporter, assets)
        (out_dir / f"{page.name}.html").write_text(html, encoding="utf-8")
        log(f"  page {page.name}.html: {len(html.encode()):,} bytes")
