"""Every rule's quote occurs verbatim in its seed document, after the written-down normalisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.packs.catalogue import Catalogue
from eligibility.packs.provenance import SourceLibrary, longest_matching_prefix, normalise, quote_occurs
from eligibility.packs.schema import Rule
from tests.support import SEEDS, SEEDS_REQUIRED, SOURCES_SETTING, needs_seeds

CATALOGUE = Catalogue.from_directory()
RULES = sorted(CATALOGUE.rules(), key=lambda pair: pair[1].id)
SOURCES = SourceLibrary(SEEDS)  # reads each document once, on first use


def test_the_sources_are_where_the_setting_says_when_it_is_set() -> None:
    if not SEEDS_REQUIRED:
        pytest.skip(f"{SOURCES_SETTING} is not set: the provenance tests are skipped without it")
    assert SEEDS.is_dir(), f"{SOURCES_SETTING}={SEEDS} is not a directory: the quotes cannot be verified"
    assert list(SEEDS.glob("*.txt")), f"no seed documents (*.txt) in {SEEDS}"


# --- the normalisation, step by step -------------------------------------------------------


def test_full_width_letters_digits_and_punctuation_become_ascii() -> None:
    assert normalise("ＡＢ１２，：；（入托）！？") == "AB12,:;(入托)!?"


def test_whitespace_of_every_kind_is_removed() -> None:
    assert normalise(" 人才\u3000服务\n卡\t ") == "人才服务卡"


def test_bracketed_pinyin_readings_are_removed_in_ascii_and_full_width_brackets() -> None:
    assert normalise("近年來(lái),臨河區（qū）") == "近年來,臨河區"


def test_brackets_holding_chinese_text_are_kept() -> None:
    assert normalise("未成年子女入学(入托)") == "未成年子女入学(入托)"


def test_brackets_holding_capitals_or_digits_are_not_taken_for_readings() -> None:
    assert normalise("(PARK)(2024)") == "(PARK)(2024)"


def test_curly_corner_and_straight_quotation_marks_are_one_mark() -> None:
    assert normalise("“綠色通道”") == normalise("「綠色通道」") == normalise('"綠色通道"') == '"綠色通道"'
    assert normalise("‘阿克苏人才服务卡’") == "'阿克苏人才服务卡'"


def test_full_stops_dashes_and_middle_dots_are_unified() -> None:
    assert normalise("一。二——三・四") == "一.二--三·四"


def test_traditional_characters_are_not_converted_to_simplified() -> None:
    assert normalise("臨河區") != normalise("临河区")


def test_normalisation_is_idempotent() -> None:
    text = "近年來(lái),臨河區(qū)　全力 “智薈臨河”。"
    assert normalise(normalise(text)) == normalise(text)


def test_a_quote_typed_with_chinese_punctuation_matches_a_source_with_ascii_punctuation() -> None:
    assert quote_occurs("在地区连续工作满5年，经认定后", "……人才,在地区连续工作满5年,经认定后给予……")


def test_a_quote_with_one_character_changed_does_not_occur() -> None:
    assert not quote_occurs("给予一次性60万元购房补助", "经认定后给予一次性50万元购房补助")


def test_an_empty_quote_never_occurs() -> None:
    assert not quote_occurs(" \n", "any text")


def test_the_longest_matching_prefix_stops_at_the_first_difference() -> None:
    assert longest_matching_prefix("给予一次性60万元", "给予一次性50万元") == "给予一次性"


def test_a_document_outside_the_sources_directory_is_never_read(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "secret.txt").write_text("秘密", encoding="utf-8")
    library = SourceLibrary(tmp_path / "seeds")
    assert (
        library.quote_problem("../secret.txt", "秘密")
        == f"source document ../secret.txt not found in {tmp_path / 'seeds'}"
    )


def test_a_missing_quote_is_reported_with_where_it_stops_matching(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("经认定后给予一次性50万元购房补助", encoding="utf-8")
    problem = SourceLibrary(tmp_path).quote_problem("doc.txt", "给予一次性60万元")
    assert problem is not None
    assert "matches up to character 5 of 9" in problem


# --- the shipped packs ----------------------------------------------------------------------


def test_the_catalogue_covers_all_five_seed_regions() -> None:
    assert sorted(CATALOGUE.regions) == ["aksu", "linhe", "qijiang", "tongchuan", "xiangqiao"]


@needs_seeds
def test_every_seed_document_is_cited_by_some_rule() -> None:
    cited = {rule.source.document for _, rule in RULES}
    assert cited == {path.name for path in SEEDS.glob("*.txt")}


@needs_seeds
@pytest.mark.parametrize("rule", [rule for _, rule in RULES], ids=[rule.id for _, rule in RULES])
def test_rule_quote_occurs_verbatim_in_its_source(rule: Rule) -> None:
    assert rule.source.quote.strip(), f"{rule.id} has no quote"
    assert SOURCES.quote_problem(rule.source.document, rule.source.quote) is None


@needs_seeds
def test_linhe_quotes_are_in_traditional_characters_as_the_source_stands() -> None:
    linhe = CATALOGUE.pack("linhe")
    assert linhe is not None
    for rule in linhe.rules:
        assert not any(simplified in rule.source.quote for simplified in "临区级业设计团队奖励"), rule.id
