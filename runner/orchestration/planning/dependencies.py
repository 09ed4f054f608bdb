"""Which plan item waits for which, and the order and parallel groups that follow (spec/planning.md
"Dependencies").

Three explicit signals, and no others:

1. an order word opening an item (`then`, `after that`, `next`, `finally`, `次に`, `その後`, ...)
   or joining the steps of a first/then/finally sequence: the item waits for the one before it;
2. a reference to another item by number (`after step 2`, `once 1 is done`, `ステップ2の後`): the
   item waits for that one;
3. a file or symbol an earlier item also names: the item waits for the latest earlier item naming it.

Items only wait for earlier items: the written order is always a valid order, and it is the order
they run in. A reference to a later item is noted and otherwise ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from runner.orchestration.planning.model import Dependency, PlanItem
from runner.orchestration.planning.names import artefact_key

_OPENING_ORDER_WORD = re.compile(
    r"^(?:(?P<en>and then|then|after that|afterwards|afterward|next|finally|lastly|once (?:that|this|it) is done"
    r"|when (?:that|this|it) is done|using (?:that|this|it|the result))\b(?!\s+to\b)"
    r"|(?P<ja>次に|その後|そのあと|それから|続いて|最後に))", re.I)
_STEP_REFERENCE = re.compile(
    r"(?:\b(?:step|item|part|task)\s*#?\s*(?P<en>\d{1,3})\b"
    r"|\b(?:after|once)\s+#?(?P<bare>\d{1,3})\s+(?:is|are|has been)\s+(?:done|complete|completed|finished)\b"
    r"|(?:ステップ|手順|項目)\s*(?P<ja>[0-9０-９]{1,3})"
    r"|(?P<ja_after>[0-9０-９]{1,3})\s*(?:の後|のあと|が終わったら|が完了したら|の結果))", re.I)


def analyse(items: Sequence[PlanItem], order_words: Sequence[str | None],
            references: dict[int, int]) -> tuple[tuple[Dependency, ...], tuple[str, ...]]:
    """Every dependency with its reason, and notes on references that were not followed."""
    found: dict[tuple[int, int], str] = {}
    notes: list[str] = []
    for item in items:
        word = order_words[item.number - 1] if item.number - 1 < len(order_words) else None
        _order_word(item, word, found)
        notes += _step_references(item, references, len(items), found)
        _shared_names(item, items, found)
    dependencies = tuple(Dependency(item, on, reason) for (item, on), reason in sorted(found.items()))
    return dependencies, tuple(notes)


def _order_word(item: PlanItem, word: str | None, found: dict[tuple[int, int], str]) -> None:
    if item.number == 1:
        return
    if word is None and (match := _OPENING_ORDER_WORD.match(item.text)):
        word = match.group(0)
    if word is not None:
        found.setdefault((item.number, item.number - 1), f"opens with the order word {word.lower()!r}")


def _step_references(item: PlanItem, references: dict[int, int], count: int,
                     found: dict[tuple[int, int], str]) -> list[str]:
    notes = []
    for match in _STEP_REFERENCE.finditer(item.text):
        written = int(next(g for g in match.groups() if g))
        target = references.get(written, written)
        if target == item.number or not 1 <= target <= count:
            continue
        if target > item.number:
            notes.append(f"item {item.number} mentions {match.group(0).strip()!r}, a later item; "
                         "items run in the written order")
            continue
        found.setdefault((item.number, target), f"refers to {match.group(0).strip()!r}")
    return notes


def _shared_names(item: PlanItem, items: Sequence[PlanItem], found: dict[tuple[int, int], str]) -> None:
    for name in item.names:
        key = artefact_key(name)
        earlier = [other for other in items[: item.number - 1] if key in {artefact_key(n) for n in other.names}]
        if earlier:
            on = earlier[-1].number
            found.setdefault((item.number, on), f"names {name}, which item {on} also names")


def parallel_groups(count: int, dependencies: Sequence[Dependency]) -> tuple[tuple[int, ...], ...]:
    """Items level by level: each level's items wait only for items of earlier levels."""
    level: dict[int, int] = {}
    for number in range(1, count + 1):
        waits = [level[d.on] for d in dependencies if d.item == number]
        level[number] = 1 + max(waits) if waits else 0
    depth = max(level.values(), default=-1) + 1
    return tuple(tuple(n for n in range(1, count + 1) if level[n] == k) for k in range(depth))
