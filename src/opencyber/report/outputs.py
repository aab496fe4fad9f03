"""Output types that the notebooks emit and the site assembly reads (a module with no imports, so
that the site does not load the analysis libraries to know them)."""

#: A map's regression check (:func:`opencyber.report.map_check.map_check`): compared by nbval, which compares
#: every output type but widget views, and removed from the pages before they are rendered.
MAP_CHECK_MIME = "text/x-opencyber-map-check"
#: plotly's own output type; a page that has one loads plotly.js
PLOTLY_MIME = "application/vnd.plotly.v1+json"
