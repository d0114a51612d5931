"""The one table of words: each key written once, each in both languages."""

from __future__ import annotations

import ast
from pathlib import Path

from eligibility.presentation import labels


def test_no_label_is_written_twice_so_none_is_silently_replaced_by_a_later_one() -> None:
    tree = ast.parse(Path(labels.__file__).read_text(encoding="utf-8"))
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == "LABELS"
    )
    assert isinstance(table, ast.Dict)
    keys = [key.value for key in table.keys if isinstance(key, ast.Constant)]
    assert len(keys) == len(table.keys)
    assert sorted(key for key in set(keys) if keys.count(key) > 1) == []


def test_every_label_has_chinese_and_english_words() -> None:
    for key, texts in labels.LABELS.items():
        assert set(texts) == {"zh", "en"} and all(text.strip() for text in texts.values()), key
