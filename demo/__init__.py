"""`make demo`: the whole chain on one machine (see README)."""
