"""One module per console script (`uv run broker`, `producer`, `dashboard`, `demo`, `send`,
`csv-monitor`), with the flags they share in `flags` and the process plumbing of the
long-running ones in `launch`."""
