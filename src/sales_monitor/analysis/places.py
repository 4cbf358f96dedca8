"""Where a sale was: the state (UF) and region of its city.

The cities the producer uses and the usual large Brazilian cities (every capital, and the
others above about 200 thousand people) are known; a city is found whatever its case or
accents (`sao paulo` is São Paulo), anything else is "não identificado". A name two states
share is given to the larger city's state.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from sales_monitor.record import folded

UNKNOWN = "não identificado"

REGIONS = {
    "Norte": ("AC", "AP", "AM", "PA", "RO", "RR", "TO"),
    "Nordeste": ("AL", "BA", "CE", "MA", "PB", "PE", "PI", "RN", "SE"),
    "Centro-Oeste": ("DF", "GO", "MT", "MS"),
    "Sudeste": ("ES", "MG", "RJ", "SP"),
    "Sul": ("PR", "RS", "SC"),
}
STATES = tuple(sorted(uf for states in REGIONS.values() for uf in states))
REGION_OF = {uf: region for region, states in REGIONS.items() for uf in states}

_CITIES = {
    "AC": "Rio Branco",
    "AL": "Maceió, Arapiraca",
    "AP": "Macapá",
    "AM": "Manaus",
    "BA": "Salvador, Feira de Santana, Vitória da Conquista, Camaçari, Juazeiro, Itabuna, "
    "Lauro de Freitas, Ilhéus",
    "CE": "Fortaleza, Caucaia, Juazeiro do Norte, Maracanaú, Sobral",
    "DF": "Brasília",
    "ES": "Vitória, Serra, Vila Velha, Cariacica",
    "GO": "Goiânia, Aparecida de Goiânia, Anápolis, Rio Verde",
    "MA": "São Luís, Imperatriz",
    "MT": "Cuiabá, Várzea Grande, Rondonópolis",
    "MS": "Campo Grande, Dourados",
    "MG": "Belo Horizonte, Uberlândia, Contagem, Juiz de Fora, Betim, Montes Claros, "
    "Ribeirão das Neves, Uberaba, Governador Valadares, Ipatinga, Sete Lagoas, Divinópolis",
    "PA": "Belém, Ananindeua, Santarém, Marabá, Parauapebas",
    "PB": "João Pessoa, Campina Grande",
    "PR": "Curitiba, Londrina, Maringá, Ponta Grossa, Cascavel, São José dos Pinhais, "
    "Foz do Iguaçu",
    "PE": "Recife, Jaboatão dos Guararapes, Olinda, Caruaru, Petrolina, Paulista",
    "PI": "Teresina",
    "RJ": "Rio de Janeiro, São Gonçalo, Duque de Caxias, Nova Iguaçu, Niterói, Belford Roxo, "
    "Campos dos Goytacazes, São João de Meriti, Petrópolis, Volta Redonda, Magé, Macaé, "
    "Itaboraí, Cabo Frio, Angra dos Reis, Nova Friburgo",
    "RN": "Natal, Mossoró, Parnamirim",
    "RS": "Porto Alegre, Caxias do Sul, Canoas, Pelotas, Santa Maria, Gravataí, Viamão, "
    "Novo Hamburgo",
    "RO": "Porto Velho",
    "RR": "Boa Vista",
    "SC": "Florianópolis, Joinville, Blumenau, São José, Chapecó, Itajaí, Criciúma, Palhoça",
    "SP": "São Paulo, Guarulhos, Campinas, São Bernardo do Campo, Santo André, Osasco, "
    "São José dos Campos, Ribeirão Preto, Sorocaba, Mauá, São José do Rio Preto, "
    "Mogi das Cruzes, Santos, Diadema, Jundiaí, Piracicaba, Carapicuíba, Bauru, Itaquaquecetuba, "
    "São Vicente, Franca, Praia Grande, Guarujá, Taubaté, Limeira, Suzano, Taboão da Serra, "
    "Sumaré, Barueri, Embu das Artes, São Carlos, Indaiatuba, Cotia, Americana, Marília, "
    "Araraquara, Jacareí, Hortolândia, Presidente Prudente, Rio Claro, Araçatuba",
    "SE": "Aracaju",
    "TO": "Palmas",
}  # fmt: skip


def _key(city: str) -> str:
    """A city name for lookup: no accents, no case, one space between words."""
    return " ".join(folded(city).split())


STATE_OF = {_key(city): uf for uf, cities in _CITIES.items() for city in cities.split(", ")}


@functools.lru_cache(maxsize=200_000)
def state_of(city: str) -> str:
    """The city's UF (`SP`), or "não identificado". Remembered: every refresh asks again for
    the same cities, and folding 100,000 names took a quarter of a second."""
    return STATE_OF.get(_key(city), UNKNOWN)


def region_of(state: str) -> str:
    return REGION_OF.get(state, UNKNOWN)


def states_for(cities: list[str]) -> list[str]:
    """Each city's UF, looked up once per distinct city (a table holds a few)."""
    found = {city: state_of(city) for city in set(cities)}
    return [found[city] for city in cities]


def cities_in(states: tuple[str, ...], cities: Iterable[str]) -> list[str]:
    """Which of these (distinct) cities are in the states: a filter by state becomes one by
    city, so the million-row table is never mapped row by row."""
    wanted = set(states)
    return [city for city in cities if state_of(city) in wanted]
