"""Who sees what: the roles a login may have, who has which, and the one masking rule that
hides customers' personal data from those who may not see it.

- *leitura*: the Painel, names and ages masked, nothing to download with personal data;
- *análise*: unmasked, the downloads, Inspecionar to read;
- *operação*: all of it, and everything that writes (Enviar, Apagar, Enviar arquivo, the
  table's actions, the targets).

`DASHBOARD_ROLES` lists who has which (`ana@empresa.com=operacao; @empresa.com=leitura`): an
e-mail address, or a whole domain; the address wins over its domain. Anyone else, logged in,
has no access. What *leitura* sees is masked by `masking`.
"""

from __future__ import annotations

import enum


class Role(enum.IntEnum):
    """Each role can do what the ones below it can."""

    LEITURA = 1
    ANALISE = 2
    OPERACAO = 3

    @property
    def label(self) -> str:
        return {1: "leitura", 2: "análise", 3: "operação"}[self.value]


ROLE_NAMES = {
    "leitura": Role.LEITURA,
    "analise": Role.ANALISE,
    "análise": Role.ANALISE,
    "operacao": Role.OPERACAO,
    "operação": Role.OPERACAO,
}


def parse_roles(text: str) -> tuple[tuple[str, Role], ...]:
    """`ana@empresa.com=operacao; @empresa.com=leitura` as (who, role), who in lower case;
    ValueError naming the first entry that is not `e-mail=papel` or `@domínio=papel`."""
    found = []
    for entry in filter(None, (piece.strip() for piece in text.split(";"))):
        who, equals, name = (piece.strip() for piece in entry.partition("="))
        role = ROLE_NAMES.get(name.lower())
        local, at, domain = who.partition("@")
        if not equals or role is None or not at or not domain or "@" in domain or " " in who:
            raise ValueError(
                f"{entry[:60]!r} não é e-mail=papel ou @domínio=papel "
                "(papéis: leitura, analise, operacao)"
            )
        found.append((who.lower(), role))
    return tuple(found)


def role_of(email: str | None, roles: tuple[tuple[str, Role], ...]) -> Role | None:
    """The role of a logged-in address: its own entry, else its domain's; None: no access."""
    if not email or "@" not in email:
        return None
    address = email.strip().lower()
    domain = "@" + address.rpartition("@")[2]
    given = dict(roles)
    return given.get(address, given.get(domain))
