"""Operating the dashboard server: Prometheus metrics and health checks on their own port
(`endpoints`, `metrics`, `health`), alerts sent where the team is (`alerts`, `notify`),
and logs a machine can read (`logs`). Everything here reads the one consumer's `read()`."""
