"""Validated packs kept between runs: used only for exactly the files and code they came from."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

from eligibility.errors import RulePackError
from eligibility.packs import cache
from eligibility.packs.catalogue import Catalogue, default_rules_directory
from eligibility.packs.loader import load_directory


@pytest.fixture
def rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped packs, and a cache of this test's own."""
    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    return Path(shutil.copytree(default_rules_directory(), tmp_path / "rules"))


def entries(rules: Path) -> list[Path]:
    return sorted((rules.parent / "cache").glob("packs-*.json"))


def test_a_second_load_comes_from_the_cache_and_is_the_same(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Catalogue.from_directory(rules)
    assert len(entries(rules)) == 1
    validated: list[Path] = []
    monkeypatch.setattr("eligibility.packs.loader.load_pack_file", lambda path: validated.append(path))
    second = Catalogue.from_directory(rules)
    assert validated == []  # nothing parsed or validated again
    assert second.rules_version == first.rules_version
    assert [item.pack for item in second.loaded] == [item.pack for item in first.loaded]
    assert [item.digest for item in second.loaded] == [item.digest for item in first.loaded]
    assert [item.path for item in second.loaded] == [item.path for item in first.loaded]
    assert [len(item.conditions) for item in second.loaded] == [len(item.conditions) for item in first.loaded]


def test_any_change_to_a_pack_is_loaded_and_checked_again(rules: Path) -> None:
    before = Catalogue.from_directory(rules).rules_version
    pack = rules / "aksu.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert Catalogue.from_directory(rules).rules_version != before
    assert len(entries(rules)) == 2
    pack.write_text(pack.read_text(encoding="utf-8").replace("region: aksu", "region: aksu\nregion: aksu"), "utf-8")
    for _ in range(2):  # a broken directory is never stored: its problems are reported every time
        with pytest.raises(RulePackError, match=r"aksu\.yaml"):
            load_directory(rules)
    assert len(entries(rules)) == 2


def test_a_pack_added_or_removed_is_another_entry(rules: Path) -> None:
    load_directory(rules)
    (rules / "linhe.yaml").unlink()
    assert "linhe" not in {item.pack.region for item in load_directory(rules)}
    assert len(entries(rules)) == 2


def test_an_unreadable_entry_is_ignored_and_replaced(rules: Path) -> None:
    first = load_directory(rules)
    (entry,) = entries(rules)
    entry.write_bytes(b"not packs")
    assert [item.pack for item in load_directory(rules)] == [item.pack for item in first]
    assert entry.read_bytes() != b"not packs"


def test_the_cache_can_be_turned_off(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_SETTING, "off")
    load_directory(rules)
    load_directory(rules)
    assert not (rules.parent / "cache").exists()


def test_an_entry_is_json_data_and_a_planted_pickle_is_never_run(rules: Path, tmp_path: Path) -> None:
    load_directory(rules)
    (entry,) = entries(rules)
    assert isinstance(json.loads(entry.read_bytes()), list)  # data, readable by anyone, no code in it
    marker = tmp_path / "ran"
    planted = pickle.dumps(_Runs(str(marker)))
    entry.write_bytes(planted)
    load_directory(rules)
    assert not marker.exists()


class _Runs:
    """A pickle that, when loaded, would create a file: what a cache read must never do."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.path, "w"))
