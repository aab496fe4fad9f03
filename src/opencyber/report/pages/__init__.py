"""The figures of the site's own pages, whose sources are the notebooks of ``pages/`` (home, finder,
trends, all sectors, methodology, data and downloads; the accessibility statement has none): each
function reads the build's outputs of the editions on the site (:class:`Site`, from the notebook's
parameters by :func:`open_site`) and returns Markdown or HTML, or (``show_*``) displays its part of
the page, text, chart, table or map, in the notebook. The words that do not depend on the data are
in the notebooks. One module per page; :mod:`~opencyber.report.pages.common` holds what they share."""

from __future__ import annotations

from opencyber.report.pages.common import ACROSS, Site, document_body, open_site
from opencyber.report.pages.downloads import DOWNLOADS, download_description, download_link, download_tables, licence
from opencyber.report.pages.finder_page import finder_form, finder_scope
from opencyber.report.pages.home import editions_table, latest_edition
from opencyber.report.pages.methodology import differences, overrides_and_caveats, score_table, worked_examples
from opencyber.report.pages.sectors_page import export_dates, exports_list, sector_alignment, show_export
from opencyber.report.pages.trends_page import (
    area_trends,
    editions_in_scope,
    followed_trusts,
    show_share_met,
    show_status_shares,
)

__all__ = [
    "ACROSS",
    "DOWNLOADS",
    "Site",
    "area_trends",
    "differences",
    "document_body",
    "download_description",
    "download_link",
    "download_tables",
    "editions_in_scope",
    "editions_table",
    "export_dates",
    "exports_list",
    "finder_form",
    "finder_scope",
    "followed_trusts",
    "latest_edition",
    "licence",
    "open_site",
    "overrides_and_caveats",
    "score_table",
    "sector_alignment",
    "show_export",
    "show_share_met",
    "show_status_shares",
    "worked_examples",
]
