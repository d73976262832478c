"""Benchmarks (``make bench``): each figure printed beside the raw-SQL floor for the same work."""
