"""Who has which role."""

import pytest

from sales_monitor.access import Role, parse_roles, role_of

pytestmark = pytest.mark.unit


def test_an_address_wins_over_its_domain_and_case_does_not_matter():
    roles = parse_roles(" Ana@Empresa.com=operação; @empresa.com=leitura ;bia@x.org=analise")
    assert role_of("ana@empresa.com", roles) is Role.OPERACAO
    assert role_of("CAIO@EMPRESA.COM", roles) is Role.LEITURA
    assert role_of("bia@x.org", roles) is Role.ANALISE
    assert role_of("eva@outra.com", roles) is None and role_of("", roles) is None
    assert Role.LEITURA < Role.ANALISE < Role.OPERACAO


@pytest.mark.parametrize(
    "text", ["ana@x.com", "ana@x.com=dono", "ana=leitura", "@=leitura", "a b@x.com=leitura"]
)
def test_an_entry_that_is_not_address_and_role_is_named(text):
    with pytest.raises(ValueError, match="não é e-mail=papel"):
        parse_roles(text)
