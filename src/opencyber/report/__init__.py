"""Everything a reader reads: tables, charts, maps, the sentences of the pages, the edition page's data, the narrative pages, the publisher and dates."""
