"""Why a text is not JSON, in Portuguese: orjson's and the json module's messages are
English, and a person reads the reason next to the line they wrote."""

from __future__ import annotations

# (a piece of the parser's message, what it means); the first match counts
_REASONS = [
    ("zero-length", "o texto está vazio"),
    (
        "expected a JSON value",
        "esperava um valor JSON (objeto, texto, número, true, false ou null)",
    ),
    ("Expecting value", "esperava um valor JSON (objeto, texto, número, true, false ou null)"),
    ("trailing comma", "há uma vírgula sobrando antes do fechamento"),
    ("expected ':'", "faltam os dois-pontos depois do nome do campo"),
    ("Expecting ':'", "faltam os dois-pontos depois do nome do campo"),
    ("Expecting ','", "falta uma vírgula, ou o JSON termina antes de fechar"),
    ("expected ','", "falta uma vírgula, ou o JSON termina antes de fechar"),
    ("end of data", "o texto termina antes de o JSON fechar"),
    ("Unterminated string", "um texto abre aspas e não as fecha"),
    ("invalid literal", "palavra inválida (use true, false ou null)"),
    ("no digit after", "número incompleto"),
    ("leading zero", "número com zero à esquerda"),
    ("string key", "o nome de um campo deve vir entre aspas duplas"),
    ("property name", "o nome de um campo deve vir entre aspas duplas (ou sobra uma vírgula)"),
    ("escape", "sequência de escape (\\) inválida"),
    ("UTF-8", "não é texto UTF-8"),
    ("after document", "há texto depois do fim do JSON"),
    ("Extra data", "há texto depois do fim do JSON"),
    ("depth limit", "aninhamento profundo demais"),
    ("control character", "caractere de controle dentro de um texto"),
    ("infinity", "número grande demais"),
]


def json_reason(error: ValueError) -> str:
    """`falta uma vírgula, ou o JSON termina antes de fechar (linha 1, coluna 7)` for a
    JSONDecodeError of orjson or of the json module; "erro de sintaxe" for one not known."""
    message = getattr(error, "msg", str(error))
    reason = next((said for piece, said in _REASONS if piece in message), "erro de sintaxe")
    line, column = getattr(error, "lineno", None), getattr(error, "colno", None)
    return reason if line is None else f"{reason} (linha {line}, coluna {column})"
