"""`uv run bench`: reproducible performance figures, ours beside the original design's."""
