"""Running it all: what each notebook depends on, the build, the input check, the outputs across editions, the regression notebooks."""
