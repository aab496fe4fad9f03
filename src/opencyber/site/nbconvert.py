"""The built-in renderer: prepared pages -> HTML with nbconvert and the ``opencyber`` template.

It only turns each prepared page (:class:`opencyber.site.pages.PreparedPage`) into an HTML file; the site
assembly (assets, downloads, banners, navigation, the atomic swap) is :mod:`opencyber.site.assemble`'s.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

NAME = "nbconvert"


def nbconvert_template_dirs() -> list[str]:
    """Where nbconvert's own templates (``lab``, ``base``) may be: under this environment's prefix, and
    under the base interpreter's and the user's, for a virtual environment made with
    ``--system-site-packages`` in which nbconvert came from the base installation (Jupyter then does
    not look there by itself)."""
    import site
    import sys

    prefixes = dict.fromkeys([sys.prefix, sys.base_prefix, site.getuserbase()])
    return [
        str(p)
        for p in (Path(x) / "share" / "jupyter" / "nbconvert" / "templates" for x in prefixes)
        if (p / "lab").is_dir()
    ]


def _page_exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class PageExporter(HTMLExporter):
        """nbconvert's HTML exporter less its last pass, which parses the whole page again with
        BeautifulSoup to give each image without alt text a placeholder (the pages have no images;
        a test keeps it so) and to make every cell and output a tab stop (which the site removes
        again): a third of the render's time. The rest is HTMLExporter's own steps."""

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return PageExporter


def make_exporter():
    from opencyber.site.assets import TEMPLATES

    nbconvert_dirs = nbconvert_template_dirs()
    return _page_exporter_class()(
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
    from opencyber.site.assets import lazy_scripts_html
    from opencyber.site.css import TEXT_CSS
    from opencyber.site.html import html_title, skip_link_html
    from opencyber.site.identity import site_tagline, site_title

    resources = {
        "oc": {
            "title": page.title,
            "html_title": html_title(page.title),
            "site_title": site_title(),
            "site_tagline": site_tagline(),
            "skip_link_html": skip_link_html(),
            "nav": page.nav,
            "require_js": assets.require_js,
            "widget_renderer": assets.widget_renderer,
            "amd_paths": assets.amd_paths,
            # the rules of JupyterLab's styles the pages' text can use (render.write_text_css, once
            # every page is rendered); the maps' rules come with the maps, after the text (without
            # the site's widget bundle, the maps' pages have all of JupyterLab's styles instead)
            "notebook_css": "assets/jupyter.css" if page.has_widgets and not assets.widgets else f"assets/{TEXT_CSS}",
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
_WRAPPER_TAB_STOP = re.compile(
    r'(<div class="(?:jp-Cell-inputWrapper|jp-RenderedHTMLCommon|jupyter-widgets)[^"]*"[^>]*?)\s+tabindex="0"'
)


def version() -> str:
    from importlib import metadata

    return metadata.version("nbconvert")


def _templates_digest() -> str:
    from opencyber.site.assets import TEMPLATES

    h = hashlib.sha256()
    for path in sorted(p for p in TEMPLATES.rglob("*") if p.is_file()):
        h.update(path.relative_to(TEMPLATES).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def page_key(page, assets, templates: str) -> list:
    """What a page's HTML is made from, for the build's cache: the prepared page (its notebook as
    JSON), where its scripts come from, and the templates' digest (the library's code and nbconvert's
    version are in every key of the cache already)."""
    import json
    from dataclasses import asdict, fields

    described = {f.name: getattr(page, f.name) for f in fields(page) if f.name != "nb"}
    notebook = page.__dict__.get("nb_digest")  # a page prepared once is keyed once (pages are only read)
    if notebook is None:
        notebook = page.__dict__["nb_digest"] = hashlib.sha256(json.dumps(page.nb, sort_keys=True).encode()).hexdigest()
    return [described, notebook, asdict(assets), templates]


def _rendered(pages: list, assets):
    """Each page with its HTML: from the build's cache (:mod:`opencyber.cache`) when an earlier
    render made it from the same page, else from nbconvert (one exporter, made when first needed)."""
    from opencyber import cache
    from opencyber.site import (
        nbconvert as this,  # looked up at call time, so that tests can interrupt a page
    )

    exporter = None
    templates = _templates_digest()

    def rendered(page) -> str:
        nonlocal exporter
        exporter = exporter or make_exporter()
        return this.render_page(page, exporter, assets)

    for page in pages:
        yield page, cache.stored("pages", page_key(page, assets, templates), functools.partial(rendered, page))


def render(pages: list, out_dir: Path, assets, **_) -> None:
    """Write ``<name>.html`` for every prepared page into ``out_dir``. A page made from what an
    earlier render made it from is taken from the build's cache: after an edit of one notebook,
    only its pages go through nbconvert again."""
    for page, html in _rendered(pages, assets):
        (out_dir / f"{page.name}.html").write_text(html, encoding="utf-8")
        log.info(f"  page {page.name}.html: {len(html.encode()):,} bytes")
