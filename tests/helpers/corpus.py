"""Bad messages, one per way a message can break the record contract, with the reason each
must be rejected for. Shared by the contract's unit tests and the stream's broker test."""

import json

GOOD = {
    "id": 7,
    "nome": "Ana",
    "idade": 30,
    "cidade": "Natal",
    "valor": 12.34,
    "timestamp": "2025-01-02T03:04:05",
}


def value(**changes) -> bytes:
    """GOOD with `changes`; a field set to ... is left out."""
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


BAD_MESSAGES = [
    (None, None, "sem chave e sem valor"),
    (b"abc", value(), "não é um id"),
    (b"0", value(), "fora do intervalo"),
    (b"\xff", value(), "UTF-8"),
    (b"8", value(), "difere"),
    (None, value(id=...), "'id' ausente"),
    (None, b"not json", "não é JSON"),
    (None, b"\xff\xfe", "não é JSON"),
    (None, b"[1, 2]", "não é um objeto"),
    (None, value(id="7"), "'id' deve ser um número inteiro"),
    (None, value(id=True), "'id' deve ser um número inteiro"),
    (None, value(id=-1), "fora do intervalo"),
    (None, value(id=2**63), "fora do intervalo"),
    (None, value(nome=""), "'nome'"),
    (None, value(nome="   "), "'nome'"),
    (None, value(nome=5), "'nome'"),
    (None, value(cidade=None), "'cidade'"),
    (None, value(idade=...), "'idade' ausente"),
    (None, value(idade=131), "idade 131"),
    (None, value(idade=-1), "idade -1"),
    (None, value(idade=30.5), "'idade' deve ser um número inteiro"),
    (None, value(valor=-0.01), "fora do intervalo"),
    (None, value(valor="12.00"), "'valor' deve ser um número"),
    (None, value(valor=12.345), "mais de duas casas"),
    (None, value(valor=1e14), "fora do intervalo"),
    # NaN and Infinity are not JSON (RFC 8259), though Python's json module writes them
    (None, b'{"id": 1, "nome": "a", "idade": 1, "cidade": "b", "valor": NaN}', "não é JSON"),
    (None, b'{"id": 1, "nome": "a", "idade": 1, "cidade": "b", "valor": Infinity}', "não é JSON"),
    (None, value(timestamp="ontem"), "não é ISO 8601"),
    (None, value(timestamp=1700000000), "'timestamp'"),
    (None, value(nome="x" * 201), "'nome' tem 201 caracteres"),
    (None, value(cidade="y" * 1_000_000), "'cidade' tem 1000000 caracteres"),
    (None, b"", "não é JSON"),
    (None, b"null", "não é um objeto"),
    (None, b'"texto"', "não é um objeto"),
    # found by a hostile writer (issue "No message can stop the dashboard"): each raised once
    (b"7" * 5000, value(), "5000 dígitos"),
    (b"0" * 30 + b"7" * 20, value(), "20 dígitos"),
    (b"7" + "²".encode(), value(), "não é um id"),
    (None, value(timestamp="0001-01-01T00:00:00+14:00"), "fora dos anos 2000 a 2099"),
    (None, value(timestamp="9999-12-31T23:59:59-14:00"), "fora dos anos 2000 a 2099"),
    (None, value(timestamp="9999-12-31T23:59:59"), "fora dos anos 2000 a 2099"),
    (None, value(timestamp="1999-12-31T23:59:59"), "fora dos anos 2000 a 2099"),
    (None, value(timestamp="2100-01-01T00:00:00"), "fora dos anos 2000 a 2099"),
    (None, value(timestamp="2100-01-01T03:00:00+00:00"), "fora dos anos 2000 a 2099"),
    (None, value(timestamp="2025-01-01T00:00:00" + " " * 100), "não é ISO 8601"),
    (None, value(valor=5e-324), "mais de duas casas"),
    (None, value(valor=1e-3), "mais de duas casas"),
    (None, value(valor=10**400), "não é JSON"),  # orjson's limit: a double's range
    (None, value(valor=10**12), "fora do intervalo"),
    (None, value(valor=100000000000.01), "fora do intervalo"),
    (None, value(valor=-0.5), "fora do intervalo"),
    (None, value(nome="\u200b\u200d\u202e"), "'nome' deve ser um texto não vazio"),
    (None, value(cidade="\n\t "), "'cidade' deve ser um texto não vazio"),
    (
        None,
        b'{"id": 1, "nome": "a", "idade": 1, "cidade": "b", "valor": 0.1000000000000000055511, '
        b'"timestamp": "2025-01-01T00:00:00"}',
        "mais de duas casas",
    ),
    # the same, with the key escaped: read again by the json module for the number's text
    (
        None,
        b'{"id": 1, "nome": "a", "idade": 1, "cidade": "b", "val\\u006fr": 0.1000000000000000055, '
        b'"timestamp": "2025-01-01T00:00:00"}',
        "mais de duas casas",
    ),
    (None, b"[" * 100_000 + b"]" * 100_000, "não é JSON"),
    (None, value(idade=10**50), "'idade' deve ser um número inteiro"),
]
