"""Open Cyber: curate, score and map NHS DSPT statuses; build the report website."""

__version__ = "0.1.0"
