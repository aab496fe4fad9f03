"""The site's narrative pages (Markdown, computed from build/ and the registry, never typed): home,
methodology, data and downloads, accessibility statement, and the pages across editions (finder,
trends, all sectors). One module per page; :mod:`~opencyber.report.pages.common` holds what several
share. The site calls each page's function by name (``pages.<maker>``) from this package."""

from __future__ import annotations

from opencyber.report.pages.accessibility import accessibility_markdown
from opencyber.report.pages.common import ACROSS, LAZY_PLOTLY
from opencyber.report.pages.downloads import DOWNLOADS, data_markdown, download_description
from opencyber.report.pages.finder_page import finder_markdown
from opencyber.report.pages.home import home_markdown
from opencyber.report.pages.methodology import differences_section, methodology_markdown
from opencyber.report.pages.sectors_page import gp_map_widget, sectors_markdown
from opencyber.report.pages.trends_page import share_met_section, trends_markdown

__all__ = [
    "ACROSS",
    "DOWNLOADS",
    "LAZY_PLOTLY",
    "PAGE_WIDGETS",
    "accessibility_markdown",
    "data_markdown",
    "differences_section",
    "download_description",
    "finder_markdown",
    "gp_map_widget",
    "home_markdown",
    "methodology_markdown",
    "sectors_markdown",
    "share_met_section",
    "trends_markdown",
]

#: widgets that narrative pages embed (``<!-- oc-widget:NAME -->`` in their Markdown)
PAGE_WIDGETS = {"gp-map": gp_map_widget}
