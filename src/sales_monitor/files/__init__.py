"""Sales from files: `csv_rows` reads a Brazilian CSV, `formats` tells JSON, JSON Lines and
CSV apart, `sync` is the CSV monitor's logic (the file's state, its diff with the topic,
the watch)."""
