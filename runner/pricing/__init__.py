"""Estimated cost for executors that report tokens but no cost: a dated price table, never a guess.

`builtin_table()` is `prices.json` next to this module (dated, one source per row); config
`models.prices` overrides or adds rows (`with_overrides`). `estimate_cost(usage, table)` prices a
pass's tokens when the model is in the table and returns None when it is not — an unknown model's
cost stays unknown. Model names are looked up as given, then without a context-window suffix
(`[1m]`), a provider prefix (`anthropic/`, `models/`), a `@version` or a date suffix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

import orjson
from pydantic import BaseModel, ConfigDict, Field

_PER_TOKEN = 1_000_000
_DATE_SUFFIX = re.compile(r"-(?:\d{8}|\d{4}-\d{2}-\d{2})$")
_PREFIXES = ("anthropic/", "openai/", "google/", "gemini/", "models/")


class LongContext(BaseModel):
    """Higher rates once a pass's input passes `threshold_input_tokens` (upper-bound pricing)."""

    model_config = ConfigDict(extra="forbid")
    threshold_input_tokens: int = Field(gt=0)
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)


class Price(BaseModel):
    """One model's list prices in USD per million tokens (the `models.prices` entries use this shape)."""

    model_config = ConfigDict(extra="forbid")
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)
    long_context: LongContext | None = None
    aliases: list[str] = Field(default_factory=list)
    note: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class PriceTable:
    """Prices by model name, with the date they were read and where overrides came from."""

    as_of: str
    prices: Mapping[str, Price] = field(default_factory=dict)
    overridden: tuple[str, ...] = ()

    def lookup(self, model: str | None) -> Price | None:
        """The price of `model` under any of the names it goes by, or None."""
        for name in candidate_names(model):
            price = self.prices.get(name) or self._aliases().get(name)
            if price is not None:
                return price
        return None

    def _aliases(self) -> dict[str, Price]:
        return {alias: price for price in self.prices.values() for alias in price.aliases}


@dataclass(frozen=True)
class TokenCounts:
    """The token counts of one pass (input includes the cached parts, as executors report it)."""

    input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    output_tokens: int | None = None


def candidate_names(model: str | None) -> list[str]:
    """`model` as given, then stripped of suffixes and prefixes, in that order, without repeats."""
    if not model:
        return []
    names = [model.strip().lower()]
    name = re.sub(r"\[[^\]]*\]$", "", names[0])
    for prefix in _PREFIXES:
        name = name.removeprefix(prefix)
    name = name.split("@", 1)[0]
    names += [name, _DATE_SUFFIX.sub("", name)]
    return list(dict.fromkeys(n for n in names if n))


def estimate_cost(model: str | None, tokens: TokenCounts, table: PriceTable) -> float | None:
    """USD for these tokens at `model`'s list price; None for an unknown model or no token counts."""
    price = table.lookup(model)
    if price is None or (tokens.input_tokens is None and tokens.output_tokens is None):
        return None
    total_in = tokens.input_tokens or 0
    rates = price
    if price.long_context is not None and total_in > price.long_context.threshold_input_tokens:
        rates = price.model_copy(update=price.long_context.model_dump())
    read = min(tokens.cache_read_input_tokens or 0, total_in)
    written = min(tokens.cache_creation_input_tokens or 0, total_in - read)
    fresh = total_in - read - written
    cost = (fresh * rates.input
            + read * (rates.cache_read if rates.cache_read is not None else rates.input)
            + written * (rates.cache_write if rates.cache_write is not None else rates.input)
            + (tokens.output_tokens or 0) * rates.output)
    return round(cost / _PER_TOKEN, 8)


@cache
def builtin_table() -> PriceTable:
    """The table shipped in the package (`runner/pricing/prices.json`)."""
    raw = orjson.loads(resources.files(__package__).joinpath("prices.json").read_bytes())
    prices = {name: Price.model_validate(row) for name, row in raw["models"].items()}
    return PriceTable(as_of=str(raw["as_of"]), prices=prices)


def with_overrides(table: PriceTable, overrides: Mapping[str, Price]) -> PriceTable:
    """`table` with the config's rows added or replacing the built-in ones (names compared in lower case)."""
    if not overrides:
        return table
    prices = dict(table.prices)
    prices.update({name.strip().lower(): price for name, price in overrides.items()})
    return replace(table, prices=prices, overridden=tuple(sorted(overrides)))
