"""The rules, as numbers and tables (no sentence a reader reads is written here): the curation of an
edition (``curation``: the organisations in scope, from the export, the ODS files, the lists and the
successor links; ``organisations``: the table of organisations and its reconciliation with the
inputs; ``overrides``: what each documented override changed), the scoring (``scoring``: the
crosstab and the area composite scores), the change across editions (``trends``, ``successors``),
the sectors of the full exports (``sectors``), the map boundaries (``boundaries``) and the
differences from the original publication (``original``). Reads through :mod:`opencyber.inputs`;
the report layer turns its results into words, charts and maps."""
