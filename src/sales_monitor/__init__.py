"""Real-time sales monitor: fake pt_BR sales into Kafka, out into a live dashboard."""

__version__ = "0.1.0"
