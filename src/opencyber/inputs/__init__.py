"""Reading the data directory: the edition registry, the files' sources and their download, one reader per source, the input schemas."""
