"""The closed vocabulary of applicant facts: canonical keys, values, Chinese aliases.

One table serves every reader of a profile (the pydantic model, the rule-pack
checker and the columnar batch reader), so a value accepted in one place is
accepted everywhere. The Chinese names and values follow ../shared/DOMAIN.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class FieldKind(StrEnum):
    """How a fact is typed, compared and stored."""

    ordered = "ordered"  # an enum with a rank: at_least / eq / in
    choice = "choice"  # an unordered enum: eq / in
    boolean = "boolean"  # eq
    number = "number"  # gte / lte
    date = "date"  # only through a derived number (years_served)
    codes = "codes"  # a list of codes: has
    awards = "awards"  # a list of awards: has (by level), and amounts
    text = "text"  # free text, never tested by a rule


@dataclass(frozen=True)
class FieldSpec:
    """One applicant fact: its key, Chinese column name(s), kind and values."""

    key: str
    zh_names: tuple[str, ...]
    kind: FieldKind
    # canonical value -> Chinese (or other) aliases; order is rank for ordered fields
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    description: str = ""

    @property
    def canonical_values(self) -> tuple[str, ...]:
        return tuple(self.values)

    def rank(self, value: str) -> int:
        return self.canonical_values.index(value)


REGIONS: Final[dict[str, tuple[str, ...]]] = {
    "aksu": ("阿克苏", "阿克苏地区"),
    "tongchuan": ("通川", "通川区"),
    "linhe": ("临河", "临河区", "臨河", "臨河區"),
    "qijiang": ("綦江", "綦江区"),
    "xiangqiao": ("湘桥", "湘桥区"),
}

ZONES: Final[dict[str, tuple[str, ...]]] = {
    "aksu_alar_hitech_zone": (
        "阿克苏阿拉尔国家高新技术产业开发区",
        "阿克苏阿拉尔高新区",
        "阿克苏阿拉尔高新技术产业开发区",
    ),
}

AWARD_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "national": ("国家级", "国家"),
    "provincial": ("省级", "省", "自治区级"),
    "municipal": ("市级", "直辖市级", "重庆市级"),
    "prefecture": ("地区级", "地级", "州级"),
    "district": ("区级", "县级", "区县级"),
}

FIELDS: Final[dict[str, FieldSpec]] = {
    spec.key: spec
    for spec in (
        FieldSpec("id", ("编号",), FieldKind.text, description="Applicant identifier."),
        FieldSpec(
            "applicant_kind",
            ("申请人类型", "申请主体"),
            FieldKind.choice,
            {"person": ("个人", "人才"), "organisation": ("单位", "企业", "organization")},
            "Who claims: a person, or an organisation (employer).",
        ),
        FieldSpec("region", ("地区",), FieldKind.choice, dict(REGIONS), "Region of work."),
        FieldSpec(
            "zone",
            ("园区",),
            FieldKind.choice,
            dict(ZONES),
            "Development zone of work; left out means outside any zone.",
        ),
        FieldSpec(
            "degree",
            ("学历",),
            FieldKind.ordered,
            {
                "none": ("无",),
                "associate": ("大专", "专科"),
                "bachelor": ("本科", "学士", "学士学位"),
                "master": ("硕士", "硕士研究生"),
                "doctorate": ("博士", "博士研究生"),
            },
            "Highest degree.",
        ),
        FieldSpec(
            "title",
            ("职称",),
            FieldKind.ordered,
            {
                "none": ("无",),
                "junior": ("初级",),
                "intermediate": ("中级",),
                "associate_senior": ("副高级", "副高"),
                "senior": ("正高级", "正高"),
            },
            "Professional title rank.",
        ),
        FieldSpec(
            "skill_level",
            ("技能等级",),
            FieldKind.ordered,
            {
                "none": ("无",),
                "junior_worker": ("初级工",),
                "intermediate_worker": ("中级工",),
                "senior_worker": ("高级工",),
                "technician": ("技师",),
                "senior_technician": ("高级技师",),
                "chief_technician": ("特级技师", "首席技师"),
            },
            "Vocational skill rank.",
        ),
        FieldSpec(
            "introduction",
            ("引进方式",),
            FieldKind.choice,
            {"none": ("无", "本地"), "full_time": ("全职引进",), "flexible": ("柔性引进",)},
            "How the person was recruited into the region.",
        ),
        FieldSpec(
            "service_start_date",
            ("本地工作起始日期",),
            FieldKind.date,
            description="Start of continuous service in the region.",
        ),
        FieldSpec(
            "years_served",
            ("本地工作年限",),
            FieldKind.number,
            description="Full years of continuous service in the region.",
        ),
        FieldSpec(
            "bought_home_in_region",
            ("是否在本地购房",),
            FieldKind.boolean,
            description="Bought a home inside the region.",
        ),
        FieldSpec(
            "scarce_skill",
            ("是否急需紧缺",),
            FieldKind.boolean,
            description="On the region's scarce-skills list (急需紧缺).",
        ),
        FieldSpec(
            "certified_high_level_talent",
            ("是否认定高层次人才",),
            FieldKind.boolean,
            description="Certified as a high-level talent by the talent office.",
        ),
        FieldSpec(
            "programmes",
            ("人才计划",),
            FieldKind.codes,
            description="Talent programme codes the person belongs to (e.g. tuofeng).",
        ),
        FieldSpec(
            "awards",
            ("奖项",),
            FieldKind.awards,
            description="Titles, honours and awards held, each with level and amount.",
        ),
    )
}

# Facts a rule may test: every profile field but the identifier and the raw date
# (service time is tested through the derived years_served).
TESTABLE_FIELDS: Final[frozenset[str]] = frozenset(
    key for key, spec in FIELDS.items() if spec.kind not in (FieldKind.text, FieldKind.date)
)

BOOLEAN_WORDS: Final[dict[str, bool]] = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
    "是": True,
    "否": False,
}

ZH_KEY_TO_KEY: Final[dict[str, str]] = {zh: spec.key for spec in FIELDS.values() for zh in spec.zh_names}


def alias_table(values: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Every accepted spelling (canonical, lower-cased, Chinese) -> canonical value."""
    table: dict[str, str] = {}
    for canonical, aliases in values.items():
        table[canonical] = canonical
        for alias in aliases:
            table[alias] = canonical
            table[alias.lower()] = canonical
    return table


VALUE_ALIASES: Final[dict[str, dict[str, str]]] = {
    key: alias_table(spec.values) for key, spec in FIELDS.items() if spec.values
}
AWARD_LEVEL_ALIASES: Final[dict[str, str]] = alias_table(dict(AWARD_LEVELS))
