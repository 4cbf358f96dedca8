"""The one masking rule: customers' personal data as a *leitura* login sees it, applied to
the table before any surface (tables, charts and their hovers, alerts) sees it."""

from __future__ import annotations

import pandas as pd

AGE_BAND = 10  # ages shown as decades: 30–39


def masked_name(name: str) -> str:
    """Initials of the first and the last word, each followed by a dot: `Maria da Silva`
    is `M. S.`, `Maria` is `M.`."""
    words = name.split()
    if not words:
        return "—"
    chosen = words if len(words) == 1 else [words[0], words[-1]]
    return " ".join(f"{word[0]}." for word in chosen)


def age_band(age: int) -> str:
    """`30–39`."""
    low = age // AGE_BAND * AGE_BAND
    return f"{low}–{low + AGE_BAND - 1}"


def masked_table(table: pd.DataFrame) -> pd.DataFrame:
    """The sales table as *leitura* may see it: names as initials, each age as the start
    of its decade (charts and averages then speak of bands, never of a person's age).
    Applied before any surface sees the table."""
    if not len(table):
        return table
    shown = table.copy()
    names = table["nome"].astype(str)
    distinct = pd.unique(names.to_numpy())
    initials = {name: masked_name(name) for name in distinct}
    shown["nome"] = names.map(initials).astype(table["nome"].dtype)
    ages = table["idade"].to_numpy()
    shown["idade"] = (ages // AGE_BAND * AGE_BAND).astype(ages.dtype)
    return shown


def ages_as_bands(shown: pd.DataFrame) -> pd.DataFrame:
    """A table about to be drawn for *leitura*, its `idade` column (if any) as bands."""
    if "idade" not in shown.columns:
        return shown
    bands = [age_band(int(age)) for age in shown["idade"].to_numpy()]
    return shown.assign(idade=bands)
