"""Inspecionar, the page for Kafka developers: `page` draws the overview and one tab per
module (`mensagens`, `enviar`, `apagar`, `arquivo`); `context` holds what they share."""
