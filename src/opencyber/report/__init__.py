"""Everything a reader reads: tables (``tables``), charts (``charts``), maps (``maps``, the GP map in
``gp_map``, their regression check in ``map_check``), the sentences of the pages (``narrative``,
``method``), the data of the edition page and the finder (``edition_page``, ``finder``), the
narrative pages (``pages``: home, methodology, data, accessibility), the publisher and dates
(``publication``) and the outputs a notebook shows only to the regression tests (``outputs``).
Called from the notebooks; reads what :mod:`opencyber.analysis` computed."""
