"""The closed vocabulary of applicant facts: every fact declared once.

`FIELDS` are the facts a profile gives; `DERIVED`, those worked out from them at
the as-of date; `FACTS`, every fact a rule may name.

Each fact has its canonical key, its names (the Chinese column name and an English
name), the other spellings a roster or profile may use for its key, its kind,
its allowed values (each with its Chinese and English names and accepted
spellings, in rank order for ranked facts) and what its absence means. The
profile model, the JSON Schemas, the command-line options, batch column parsing,
the condition checks of rule packs, what-if, compare and every wording read
this table; nothing restates it. The Chinese names follow ../shared/DOMAIN.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Final

from eligibility.facts.names import Names


class FieldKind(StrEnum):
    """How a fact is typed, compared and stored."""

    ordered = "ordered"  # a value with a rank: eq / in / at_least
    choice = "choice"  # an unordered value: eq / in
    boolean = "boolean"  # eq
    number = "number"  # gte / lte
    date = "date"  # tested only through a number derived from it (years_served)
    codes = "codes"  # a list of codes: has
    awards = "awards"  # a list of awards: has (by level), and their amounts
    text = "text"  # free text, never tested by a rule


@dataclass(frozen=True)
class Value:
    """One allowed value of a fact: its code, its names, and the other spellings accepted for it.

    `spellings` are shown, in this order, wherever the allowed values are listed
    (e.g. `doctorate (博士/博士研究生)`); the Chinese name defaults to the first of
    them and the English name to the code in words.
    """

    code: str
    spellings: tuple[str, ...] = ()
    zh: str = ""
    en: str = ""
    region: str = ""  # a zone's region: a zone of another region contradicts the region (facts/consistency.py)

    @property
    def names(self) -> Names:
        return Names(
            zh=self.zh or (self.spellings[0] if self.spellings else self.code),
            en=self.en or self.code.replace("_", " "),
        )


@dataclass(frozen=True)
class FieldSpec:
    """One applicant fact."""

    key: str
    zh: str  # its Chinese name, also its column name in a roster
    kind: FieldKind
    description: str
    values: tuple[Value, ...] = ()  # rank order (lowest first) for ordered facts
    en: str = ""  # its English name in words; defaults to the key in words
    aliases: tuple[str, ...] = ()  # other accepted spellings of the key (e.g. traditional characters)
    default: str | None = None  # the value a profile takes when the fact is left out
    when_absent: Value | None = None  # what the fact is when left out; None: unknown
    extensible: bool = False  # the loaded packs may add values (a region of their own)
    minimum: float | None = None  # numbers: the least allowed
    maximum: float | None = None  # numbers: the most allowed
    decimals: int = 0  # numbers: the most decimal places allowed
    item: str = ""  # list facts: the word for one item (the --programme and --award options)
    only_grows: bool = False  # a near miss never offers to lower it (a degree, years served)
    conferred: bool = False  # who the applicant is or what others confer: never offered as a change

    @property
    def names(self) -> Names:
        return Names(zh=self.zh, en=self.en or self.key.replace("_", " "))

    @property
    def testable(self) -> bool:
        """Whether rules may test it (the raw date is tested through the derived years served)."""
        return self.kind not in (FieldKind.text, FieldKind.date)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        return tuple(value.code for value in self.values)

    @cached_property
    def ranks(self) -> dict[str, int]:
        return {value.code: rank for rank, value in enumerate(self.values)}

    def rank(self, code: str) -> int:
        return self.ranks[code]

    def value(self, code: str) -> Value | None:
        """The declared value with this code (the absent value included); None when there is none."""
        if self.when_absent is not None and code == self.when_absent.code:
            return self.when_absent
        return next((value for value in self.values if value.code == code), None)

    @cached_property
    def spelling_table(self) -> dict[str, str]:
        """Every accepted spelling of a value, lower-cased -> its code."""
        return {spelling.lower(): value.code for value in self.values for spelling in _spellings(value)}

    @cached_property
    def allowed(self) -> str:
        """The allowed values as a message lists them: `none (无), associate (大专/专科), ...`."""
        return ", ".join(
            f"{value.code} ({'/'.join(value.spellings)})" if value.spellings else value.code for value in self.values
        )


def _spellings(value: Value) -> Iterator[str]:
    yield value.code
    yield from value.spellings
    if value.zh:
        yield value.zh
    if value.en:
        yield value.en


REGIONS: Final = (
    Value("aksu", ("阿克苏", "阿克苏地区"), zh="阿克苏地区", en="Aksu Prefecture"),
    Value("tongchuan", ("通川", "通川区"), zh="通川区", en="Tongchuan District"),
    Value("linhe", ("临河", "临河区", "臨河", "臨河區"), zh="临河区", en="Linhe District"),
    Value("qijiang", ("綦江", "綦江区"), zh="綦江区", en="Qijiang District"),
    Value("xiangqiao", ("湘桥", "湘桥区"), zh="湘桥区", en="Xiangqiao District"),
)

AWARD_LEVELS: Final = (
    Value("national", ("国家级", "国家")),
    Value("provincial", ("省级", "省", "自治区级")),
    Value("municipal", ("市级", "直辖市级", "重庆市级")),
    Value("prefecture", ("地区级", "地级", "州级")),
    Value("district", ("区级", "县级", "区县级"), zh="区县级"),
)

FIELDS: Final[dict[str, FieldSpec]] = {
    spec.key: spec
    for spec in (
        FieldSpec("id", "编号", FieldKind.text, "Applicant identifier."),
        FieldSpec(
            "applicant_kind",
            "申请人类型",
            FieldKind.choice,
            "Who claims: a person, or an organisation (employer).",
            (
                Value("person", ("个人", "人才")),
                Value("organisation", ("单位", "企业", "organization")),
            ),
            aliases=("申请主体",),
            default="person",
            conferred=True,
        ),
        FieldSpec(
            "region",
            "地区",
            FieldKind.choice,
            "Region of work: one of the regions below, or of a loaded rule pack.",
            REGIONS,
            extensible=True,
            conferred=True,
        ),
        FieldSpec(
            "zone",
            "园区",
            FieldKind.choice,
            "Development zone of work; left out means outside any zone.",
            (
                Value(
                    "aksu_alar_hitech_zone",
                    ("阿克苏阿拉尔国家高新技术产业开发区", "阿克苏阿拉尔高新区", "阿克苏阿拉尔高新技术产业开发区"),
                    zh="阿克苏阿拉尔高新区",
                    en="Aksu–Alar high-tech zone",
                    region="aksu",
                ),
            ),
            when_absent=Value("none", zh="不在园区", en="outside any zone"),
        ),
        FieldSpec(
            "degree",
            "学历",
            FieldKind.ordered,
            "Highest degree.",
            (
                Value("none", ("无",)),
                Value("associate", ("大专", "专科")),
                Value("bachelor", ("本科", "学士", "学士学位")),
                Value("master", ("硕士", "硕士研究生")),
                Value("doctorate", ("博士", "博士研究生")),
            ),
            only_grows=True,
        ),
        FieldSpec(
            "title",
            "职称",
            FieldKind.ordered,
            "Professional title rank.",
            (
                Value("none", ("无",)),
                Value("junior", ("初级",)),
                Value("intermediate", ("中级",)),
                Value("associate_senior", ("副高级", "副高")),
                Value("senior", ("正高级", "正高")),
            ),
            only_grows=True,
        ),
        FieldSpec(
            "skill_level",
            "技能等级",
            FieldKind.ordered,
            "Vocational skill rank.",
            (
                Value("none", ("无",)),
                Value("junior_worker", ("初级工",)),
                Value("intermediate_worker", ("中级工",)),
                Value("senior_worker", ("高级工",)),
                Value("technician", ("技师",)),
                Value("senior_technician", ("高级技师",)),
                Value("chief_technician", ("特级技师", "首席技师")),
            ),
            only_grows=True,
        ),
        FieldSpec(
            "introduction",
            "引进方式",
            FieldKind.choice,
            "How the person was recruited into the region.",
            (
                Value("none", ("无", "本地")),
                Value("full_time", ("全职引进",)),
                Value("flexible", ("柔性引进",)),
            ),
        ),
        FieldSpec(
            "service_start_date",
            "本地工作起始日期",
            FieldKind.date,
            "Start of continuous service in the region.",
        ),
        FieldSpec(
            "years_served",
            "本地工作年限",
            FieldKind.number,
            "Full years of continuous service in the region.",
            minimum=0,
            maximum=100,
            decimals=2,
            only_grows=True,
        ),
        FieldSpec(
            "bought_home_in_region",
            "是否在本地购房",
            FieldKind.boolean,
            "Bought a home inside the region.",
            en="home bought in the region",
        ),
        FieldSpec(
            "scarce_skill",
            "是否急需紧缺",
            FieldKind.boolean,
            "On the region's scarce-skills list (急需紧缺).",
        ),
        FieldSpec(
            "certified_high_level_talent",
            "是否认定高层次人才",
            FieldKind.boolean,
            "Certified as a high-level talent by the talent office.",
        ),
        FieldSpec(
            "programmes",
            "人才计划",
            FieldKind.codes,
            "Codes of the talent programmes and statuses the applicant holds (e.g. tuofeng); "
            "the loaded rule packs declare them (eligibility rules programmes).",
            item="programme",
            conferred=True,
        ),
        FieldSpec(
            "awards",
            "奖项",
            FieldKind.awards,
            "Titles, honours and awards held, each with level and amount.",
            AWARD_LEVELS,
            item="award",
            conferred=True,
        ),
    )
}

# Facts rules test that no profile gives: worked out from the profile at the as-of date (facts/derive.py).
DERIVED: Final[dict[str, FieldSpec]] = {
    spec.key: spec
    for spec in (
        FieldSpec(
            "started_work",
            "是否已到岗",
            FieldKind.boolean,
            "Whether the applicant works in the region at the as-of date: false only when the service start date "
            "is after it (a future hire); a profile's region and zone are where the applicant works.",
            en="started work",
            only_grows=True,
        ),
    )
}

# Every fact a rule may name: the profile's and the derived ones.
FACTS: Final[dict[str, FieldSpec]] = {**FIELDS, **DERIVED}

# Every accepted spelling of a profile fact's key -> the key.
KEY_SPELLINGS: Final[dict[str, str]] = {
    spelling: spec.key for spec in FIELDS.values() for spelling in (spec.key, spec.zh, *spec.aliases)
}

TESTABLE_FIELDS: Final[frozenset[str]] = frozenset(key for key, spec in FACTS.items() if spec.testable)
