"""Amounts as people read them: 万元 in Chinese (50万元, 1.5万元, 5000元), yuan with separators in English."""

from __future__ import annotations

from decimal import Decimal

from eligibility.presentation.labels import Language

TEN_THOUSAND = 10_000


def money(yuan: int, language: Language) -> str:
    """An amount in yuan as a reader of `language` writes it: 500000 is 50万元 / 500,000 yuan.

    Chinese uses 万元 from ten thousand up, exactly (12345 is 1.2345万元); smaller
    amounts stay in 元 (5000元), as the sources write them.
    """
    if language == "en":
        return f"{yuan:,} yuan"
    if abs(yuan) < TEN_THOUSAND:
        return f"{yuan}元"
    wan = (Decimal(yuan) / TEN_THOUSAND).normalize()
    return f"{wan:f}万元"
