"""Running it all: the plan of a build (``plan``: which editions' inputs are found, which notebooks
are out of date and why, from the ``digests`` of their inputs, code and notebooks), their execution
(``execute``: papermill, one kernel per notebook, the editions in parallel), the orchestration and
its guards (``build``: the lock, the build folder's markers, the site's publication), the outputs
across editions (``across``), the input check without notebooks (``check``) and the regression
notebooks (``golden``). The only layer that knows every other; only the command line is above it."""
