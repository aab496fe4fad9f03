"""The rules: curation, scoring, trends across editions, the sectors of the full exports, the differences from the original. Numbers and tables, no sentences for readers."""
