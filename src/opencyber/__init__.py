"""Open Cyber: curate, score and map NHS DSPT statuses; build the report website."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("opencyber")  # pyproject.toml's, as installed
except PackageNotFoundError:  # the source tree on sys.path, not installed
    __version__ = "0.0.0+unknown"
