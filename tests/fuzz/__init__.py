"""Coverage-guided fuzzing (atheris) of every function that reads outside input.

`uv run python -m tests.fuzz --seconds 60` fuzzes each target in turn (.ci/run does);
`tests/test_fuzz_corpus.py` runs every committed seed and every crash ever found through
the same targets on each `uv run pytest`. docs/testing.md.
"""
