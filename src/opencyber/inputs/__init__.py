"""Reading the data directory: the edition registry (``registry``, ``locations``), the registry of
files and their download (``sources``, ``fetch``), the whole directory as one zip (``pack`` makes it, ``pack_fetch`` fetches and places it), one
reader per source (``dspt_export``, ``ods``, ``lists``, ``reference_file``, ``geojson``, on the basics
of ``records``) and the input schemas.

Every reader returns a tidy table with a ``line`` column (the line of the file the row came from, as
an editor shows it) and raises :class:`~opencyber.errors.InputError` naming file, line, column and
value for every problem of the file; codes are upper-cased and stripped, and each repair is counted
in ``DataFrame.attrs["repairs"]`` so that the reconciliation reports it. The readers of the large
files keep what they read in the build's cache (:mod:`opencyber.cache`)."""
