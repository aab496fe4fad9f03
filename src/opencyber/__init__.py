"""Open Cyber: curate, score and map NHS DSPT statuses; build the report website.

The package is built in floors, and a module imports only from its own floor or any floor below
(``tests/test_layers.py`` keeps it so): the base modules here (``errors``, ``logs``, ``status``,
``stages``: the one table of the notebooks and their outputs, ``cache``, ``settings``: the folders
and environment variables), then :mod:`~opencyber.inputs` (reading the data directory),
:mod:`~opencyber.analysis` (the rules), :mod:`~opencyber.report` (what readers read),
:mod:`~opencyber.site` (the website), :mod:`~opencyber.pipeline` (the build) and the command line
(``cli``)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("opencyber")  # pyproject.toml's, as installed
except PackageNotFoundError:  # the source tree on sys.path, not installed
    __version__ = "0.0.0+unknown"
