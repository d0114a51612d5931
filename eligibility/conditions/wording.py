"""Conditions in words, Chinese and English: 学历为博士 / degree is doctorate.

The names come from the vocabulary (facts and values) and the phrasing from the
operator table; this module only puts them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from eligibility.conditions.operators import Operand, Operator
from eligibility.facts.names import Names
from eligibility.facts.vocabulary import FACTS

UNKNOWN: Final = Names(zh="未知", en="unknown")
NO_NAMES: Final[Mapping[str, Names]] = MappingProxyType({})
GROUPS: Final = {
    "all": Names(zh="同时满足以下全部条件", en="all of"),
    "any": Names(zh="满足以下任一条件", en="any of"),
    "not": Names(zh="不满足以下条件", en="not"),
}


def field_name(field: str) -> Names:
    """A fact's name: its Chinese column name, and its key in words."""
    return FACTS[field].names


def value_name(
    field: str, value: Any, joiner: tuple[str, str] = ("、", ", "), names: Mapping[str, Names] = NO_NAMES
) -> Names:
    """A fact's value in words: the vocabulary's names of the value, else `names` (a pack's programme
    codes, by code); several joined by `joiner`."""
    if value is None:
        return UNKNOWN
    if isinstance(value, bool):
        return Names(zh="是", en="yes") if value else Names(zh="否", en="no")
    if isinstance(value, float | int):
        text = f"{value:g}"
        return Names(zh=text, en=text)
    if isinstance(value, tuple | list):
        if not value:
            return Names(zh="无", en="none")
        named = [value_name(field, item, names=names) for item in value]
        return Names(zh=joiner[0].join(name.zh for name in named), en=joiner[1].join(name.en for name in named))
    declared = FACTS[field].value(str(value))
    if declared is not None:
        return declared.names
    if str(value) in names:
        return names[str(value)]
    return Names(zh=str(value), en=str(value).replace("_", " "))


def requirement(field: str, operator: Operator, operand: Operand, names: Mapping[str, Names] = NO_NAMES) -> Names:
    """What a test requires, without the fact's name: 副高级及以上 / associate senior or higher."""
    value = value_name(field, operand, operator.joiner, names)
    zh, en = operator.requirement
    return Names(zh=zh.format(value=value.zh), en=en.format(value=value.en))


def sentence(field: str, operator: Operator, operand: Operand, names: Mapping[str, Names] = NO_NAMES) -> Names:
    """A test as a sentence: 学历为博士 / degree is doctorate; 人才计划包含托峰英才 / programmes include Tuofeng talents."""
    name = field_name(field)
    value = value_name(field, operand, operator.joiner, names)
    zh, en = operator.sentence
    return Names(zh=zh.format(field=name.zh, value=value.zh), en=en.format(field=name.en, value=value.en))
