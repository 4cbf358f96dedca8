"""Headers as a person types them in the inspector: one per line, `nome: valor`."""

from __future__ import annotations

from collections.abc import Iterable

from sales_monitor.record import Rejection

MAX_HEADERS = 50
MAX_HEADER_NAME = 200


def parse_headers(text: str) -> list[tuple[str, bytes]] | Rejection:
    """`trace-id: abc` lines as Kafka headers, in order (a name may repeat, as Kafka
    allows); blank lines are skipped; a line without `:` or with an empty name is refused
    with its number."""
    headers = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name = name.strip()
        if not colon or not name:
            return Rejection(f"cabeçalho da linha {number} deve ser 'nome: valor'")
        if len(name) > MAX_HEADER_NAME:
            return Rejection(f"nome do cabeçalho da linha {number} passa de {MAX_HEADER_NAME}")
        headers.append((name, value.strip().encode()))
    if len(headers) > MAX_HEADERS:
        return Rejection(f"{len(headers)} cabeçalhos; o máximo é {MAX_HEADERS}")
    return headers


def headers_text(headers: Iterable[tuple[str, str]], skip: str = "") -> str:
    """The editor's text for headers read from the topic (`skip`: a name left out)."""
    return "\n".join(f"{name}: {value}" for name, value in headers if name != skip)
