"""A new region's pack to fill in: a skeleton with every section explained, its case file and the schemas.

`new_pack` says what would be written; `write_new_pack` writes it, never over an
existing file. The pack and the case file carry a yaml-language-server modeline
naming a JSON Schema written beside them, so an editor completes and checks them
as they are typed. The skeleton loads as it is (its placeholders are strings),
its case passes against it, and `rules lint` reports every placeholder left
(packs/lint.py: PLACEHOLDER) until the author has replaced them all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from eligibility.errors import InputError, Problem
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.lint import PLACEHOLDER
from eligibility.packs.loader import CASE_FILE_SUFFIX
from eligibility.presentation.schemas import cases_schema, rules_schema

PACK_SCHEMA_FILE = "rule-pack.schema.json"
CASES_SCHEMA_FILE = "case-file.schema.json"
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
GUIDE = "docs/authoring.md"


@dataclass(frozen=True)
class NewPack:
    """The files of a new region's pack, in the order they are written: pack, cases, schemas."""

    region: str
    pack: Path
    cases: Path
    files: tuple[tuple[Path, str], ...]


def new_pack(region: str, directory: Path) -> NewPack:
    """What `write_new_pack` would write for `region` (its code, or a name the vocabulary knows) in `directory`."""
    code, names = _region(region)
    pack = directory / f"{code}.yaml"
    cases = directory / f"{code}{CASE_FILE_SUFFIX}.yaml"
    files = (
        (pack, pack_text(code, names)),
        (cases, cases_text(code)),
        (directory / PACK_SCHEMA_FILE, _json(rules_schema())),
        (directory / CASES_SCHEMA_FILE, _json(cases_schema())),
    )
    return NewPack(code, pack, cases, files)


def write_new_pack(new: NewPack) -> list[Path]:
    """Write the files; InputError, writing nothing, when the pack or case file exists or a schema file differs.

    A schema file already there with the same text (a second region in the same
    directory) is kept; the paths written are returned.
    """
    problems = []
    writing = []
    for path, text in new.files:
        if not path.exists():
            writing.append((path, text))
        elif path.name in (PACK_SCHEMA_FILE, CASES_SCHEMA_FILE) and path.read_text(encoding="utf-8") == text:
            continue
        elif path.name in (PACK_SCHEMA_FILE, CASES_SCHEMA_FILE):
            problems.append(Problem(str(path), "exists and differs from this version's schema; nothing was written"))
        else:
            problems.append(Problem(str(path), "already exists; nothing was written (a file is never overwritten)"))
    if problems:
        raise InputError(problems)
    new.pack.parent.mkdir(parents=True, exist_ok=True)
    for path, text in writing:
        with path.open("x", encoding="utf-8") as handle:  # "x": never over a file that appeared meanwhile
            handle.write(text)
    return [path for path, _ in writing]


def _region(region: str) -> tuple[str, tuple[str, str] | None]:
    """The region's code and, when the vocabulary knows it, its Chinese and English names."""
    given = region.strip()
    for value in FIELDS["region"].values:
        if given.lower() in {spelling.lower() for spelling in (value.code, *value.spellings, value.names.en)}:
            return value.code, (value.names.zh, value.names.en)
    if not _CODE.match(given):
        raise InputError(
            [
                Problem(
                    "region",
                    "a new region's code is lower-case Latin letters, digits and _, starting with a letter "
                    "(e.g. guangzhou); its Chinese name goes in the pack's name and aliases",
                    region,
                )
            ]
        )
    return given, None


def _json(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def pack_text(code: str, names: tuple[str, str] | None) -> str:
    """The skeleton of a pack: every section, each explained in Chinese and English."""
    todo = PLACEHOLDER
    if names is None:
        name = f'{{zh: "{todo} 地区中文名", en: "{todo} English name"}}'
        aliases = f'["{todo} 中文简称"]'
        aliases_note = (
            "# 词表中没有这个地区：至少写上中文名和简称，申请人信息、名册和 --region 才能认出它。\n"
            "# The vocabulary does not know this region: give its Chinese name and short\n"
            "# names, so profiles, rosters and --region can name it.\n"
        )
    else:
        name = f"{{zh: {names[0]}, en: {names[1]}}}"
        aliases = "[]"
        aliases_note = (
            "# 词表已认识这个地区及其中文名；这里可以再加其他名称。\n"
            "# The vocabulary knows this region and its Chinese names; add other names here if any.\n"
        )
    return f"""# yaml-language-server: $schema={PACK_SCHEMA_FILE}
#
# {code}：新地区规则包的骨架（eligibility rules new 生成）。逐节填写：每节上方的注释
# 说明写什么。写法见作者指南（eligibility 项目的 {GUIDE}）。含 {todo} 的值都要替换；
# 替换完之前，rules lint 会逐一指出。
# {code}: the skeleton of a new region's pack (written by eligibility rules new).
# Fill it in section by section: the comment above each says what goes there. How
# to read a policy into rules: the authoring guide ({GUIDE} in the eligibility
# project). Every value holding {todo} must be replaced; until then rules lint
# names each one.
#
# 文件开头的注释写明：来源是什么、何时发布、规则按什么顺序排列，以及原文中哪些内容
# 没有写成规则、为什么（例如只是工作部署，并非个人可申请的待遇）。
# This header says what the source is, when it was published, in which order the
# rules follow it, and what the source reports that is not encoded, and why (for
# instance: what the region does, not what a person can claim).

# 地区代码：小写拉丁字母、数字和下划线；每条规则的编号都以它开头。
# The region's code: lower-case Latin letters, digits and _; every rule id starts with it.
region: {code}

# 地区名称，中文和英文。
# The region's name in Chinese and English.
name: {name}

# 其他名称（简称、繁体等），申请人信息中写任一名称都可以。
# Other names (short names, traditional characters) a profile may give for the region.
{aliases_note}aliases: {aliases}

# 规则包版本：每次修改规则都要更新，并在 CHANGELOG 中写明影响的规则和日期。
# The pack's version: change it with every change to a rule, and say in the
# CHANGELOG which rules and dates the change affects.
version: "{todo}"

# 来源：规则引用的原文文件。document 是文件名（rules lint --sources 所指目录中的文件）；
# date 是发布日期（原文未注明日期时写 null）。
# The sources the rules quote. document is a file name in the directory that
# rules lint --sources names; date is the publication date (null when undated).
sources:
  - document: {todo}.txt
    title: "{todo} 原文标题 / title"
    publisher: "{todo} 发布单位 / publisher"
    date: null

# 人才计划代码：原文作为条件、但未公布认定标准的身份或资格（某人才计划成员、持有
# 人才服务卡等），由申请人在 programmes 中说明。规则检查的每个代码都要在这里声明。
# Programme codes: memberships and statuses the source makes a condition without
# publishing their criteria (a talent programme, holding a talent card ...). The
# profile states them in its programmes; every code a rule tests is declared here.
# 例 / Example:
#   example_talent_card:
#     name: {{zh: 某地人才服务卡持卡人, en: talent service card holder}}
#     meaning: {{zh: 持有某地人才服务卡（发卡条件未公布）, en: holds the card; the issuing criteria are not published}}
#     aliases: [某地人才服务卡]
programmes: {{}}

# 定义：几条规则共用的命名条件（例如“高层次人才”的范围）。
# Definitions: named conditions several rules share (who counts as a high-level talent, say).
# 例 / Example:
#   high_level_talent:
#     name: {{zh: 高层次人才（博士或副高级及以上职称）, en: "High-level talent (doctorate or associate-senior title)"}}
#     when:
#       any:
#         - {{field: degree, eq: doctorate}}
#         - {{field: title, at_least: associate_senior}}
definitions: {{}}

# 规则：每条规则一项待遇，按原文顺序排列。
# Rules: one entitlement each, in the order of the source.
rules:
    # 编号：地区代码.类别.名称（小写字母、数字、下划线）。
    # id: region.category.name (lower-case letters, digits, _).
  - id: {code}.example.first_rule
    # 待遇名称，中文和英文。 / The benefit's name in Chinese and English.
    name: {{zh: "{todo} 待遇名称", en: "{todo} benefit name"}}
    # 类别：cash 现金 | service 服务 | in_kind 实物 | honour 荣誉。
    # kind: cash | service | in_kind | honour.
    kind: cash
    # 申请人：person 个人（默认）| organisation 单位。
    # applicant: person (default) | organisation.
    applicant: person
    # 金额（仅现金）：原文公布金额时写 {{yuan: 500000}}；未公布时写
    # {{published: false, note: 由哪个文件规定}}，绝不估算；按奖励 1:1 配套写
    # {{matching_award_levels: [national], ratio: 1}}。
    # amount (cash only): {{yuan: 500000}} when the source publishes it;
    # {{published: false, note: which document sets it}} when not, never a guess;
    # {{matching_award_levels: [national], ratio: 1}} for matching funds.
    amount: {{published: false, note: "{todo}: which document sets the amount"}}
    # 频次：one_off 一次性 | annual 每年 | monthly 每月 | ongoing 持续 | per_event 按次。
    # frequency: one_off | annual | monthly | ongoing | per_event.
    frequency: one_off
    # 状态：in_force 现行 | proposed 拟设立（列出，但从不判定为可享受、不计入合计）。
    # status: in_force | proposed (拟设立: listed, never granted or summed).
    status: in_force
    # 有效期：from 起（含当日），until 止（不含当日）；原文未写起始日期时，用能确定的
    # 最早日期（通常是发布日期），并在 assumptions 中说明。
    # effective: from (inclusive), until (exclusive). When the source gives no start,
    # the earliest date the text supports (usually its publication), said in assumptions.
    effective: {{from: null}}
    # 就高不重复：同组待遇每人只享受一项，金额最高者。
    # exclusivity_group: one benefit of the group per person, the highest.
    # exclusivity_group: {code}.housing_subsidy
    # 条件：all（全部）/ any（任一）/ not（非）/ definition（定义），字段测试
    # eq、in、at_least、gte、lte、has。未知的事实使结果成为“需补充信息”。
    # when: all / any / not / definition, and field tests eq, in, at_least, gte,
    # lte, has. A fact left unknown makes the result needs_info.
    when:
      all:
        - {{field: degree, eq: doctorate}}
    # 来源：文件名和原文句子，逐字照抄（rules lint --sources 会核对）。
    # source: the document and the sentence, copied verbatim (rules lint --sources checks it).
    source:
      document: {todo}.txt
      quote: "{todo}: 原文句子，逐字照抄 / the sentence, verbatim"
    # 解读假设：原文没有说明、而规则不得不确定的每一点，中英文各写一遍。
    # assumptions: every point the rule decides where the source is silent, in Chinese and English.
    assumptions:
      - zh: "{todo}：原文未说明之处及本规则的理解"
        en: "{todo}: what the source leaves open and how the rule reads it"
"""


def cases_text(code: str) -> str:
    """The case file beside the skeleton: one case, which passes against the skeleton's example rule."""
    todo = PLACEHOLDER
    return f"""# yaml-language-server: $schema={CASES_SCHEMA_FILE}
#
# {code} 的案例：每个案例是一位申请人、一个评估日期，以及规则包必须给出的结果。
# 运行：eligibility test {code}{CASE_FILE_SUFFIX}.yaml --rules 本目录
# Cases of {code}: each an applicant, an evaluation date, and what the pack must
# give. Run: eligibility test {code}{CASE_FILE_SUFFIX}.yaml --rules THIS_DIRECTORY
#
# name：一句话写明必须成立的结论。as_of：评估日期。applicant：申请人信息（中英文键值均可）。
# expected：total_cash_yuan 已知现金合计；entitlements 恰好列出这些待遇（benefit_id、
# status、amount_yuan，需补充信息时还有 missing_facts）。
# name: a sentence saying what must hold. as_of: the evaluation date. applicant:
# the profile (English or Chinese keys and values). expected: total_cash_yuan, the
# granted cash with a known amount; entitlements, exactly these (benefit_id,
# status, amount_yuan, and missing_facts when needs_info).
- name: "{todo}: a doctorate is granted the example benefit, whose amount is not published and not summed"
  as_of: 2025-06-01
  applicant:
    region: {code}
    degree: doctorate
  expected:
    total_cash_yuan: 0
    entitlements:
      - {{benefit_id: {code}.example.first_rule, status: granted, amount_yuan: null}}
"""
