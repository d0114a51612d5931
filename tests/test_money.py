"""Amounts are written as readers write them: 万元 in Chinese from ten thousand up, yuan with separators in English."""

from __future__ import annotations

import pytest

from eligibility.presentation.money import money


@pytest.mark.parametrize(
    ("yuan", "chinese", "english"),
    [
        (500_000, "50万元", "500,000 yuan"),
        (15_000, "1.5万元", "15,000 yuan"),
        (12_345, "1.2345万元", "12,345 yuan"),
        (10_000, "1万元", "10,000 yuan"),
        (1_790_000, "179万元", "1,790,000 yuan"),
        (5_000, "5000元", "5,000 yuan"),
        (0, "0元", "0 yuan"),
        (-20_000, "-2万元", "-20,000 yuan"),
    ],
    ids=[
        "fifty wan",
        "a wan and a half",
        "exact to the yuan",
        "one wan",
        "the source's 179万元",
        "under a wan",
        "nothing",
        "a loss",
    ],
)
def test_an_amount_reads_in_wan_in_chinese_and_in_yuan_in_english(yuan: int, chinese: str, english: str) -> None:
    assert money(yuan, "zh") == chinese
    assert money(yuan, "en") == english
