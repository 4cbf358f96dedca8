"""A topic read into a table, for every reader of the project (the Painel, Inspecionar and
the CSV monitor): `consumer` follows the topic, `ingest` turns a poll into rows (pure),
`store` keeps the latest write of each id, `arrivals` measures how late sales arrive, and
`status` says what the reading knows of the topic (lag, data lost, partitions set aside)."""
