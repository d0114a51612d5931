"""The one table of words the front ends show, in Chinese and English.

Names of facts and their values are the vocabulary's (facts/vocabulary.py) and
words of conditions the operator table's; everything else a person reads is here.
"""

from __future__ import annotations

import locale
import os
from typing import Literal

from eligibility.facts.names import Names
from eligibility.facts.vocabulary import FACTS

Language = Literal["zh", "en"]

LABELS: dict[str, dict[Language, str]] = {
    "granted": {"zh": "可享受", "en": "granted"},
    "superseded": {"zh": "被替代（就高不重复）", "en": "superseded (highest only)"},
    "proposed": {"zh": "拟设立（未生效）", "en": "proposed (not in force)"},
    "needs_info": {"zh": "需补充信息", "en": "needs information"},
    "cash": {"zh": "现金", "en": "cash"},
    "service": {"zh": "服务", "en": "service"},
    "in_kind": {"zh": "实物", "en": "in kind"},
    "honour": {"zh": "荣誉", "en": "honour"},
    "one_off": {"zh": "一次性", "en": "one-off"},
    "annual": {"zh": "每年", "en": "annual"},
    "monthly": {"zh": "每月", "en": "monthly"},
    "ongoing": {"zh": "持续", "en": "ongoing"},
    "per_event": {"zh": "按次", "en": "per event"},
    "amount_not_published": {"zh": "金额未公布", "en": "amount not published"},
    "amount_unknown": {"zh": "金额待定", "en": "amount unknown"},
    "no_amount": {"zh": "—", "en": "—"},
    "status": {"zh": "状态", "en": "Status"},
    "benefit": {"zh": "待遇", "en": "Benefit"},
    "amount": {"zh": "金额（元）", "en": "Amount (yuan)"},
    "kind": {"zh": "类别", "en": "Kind"},
    "total": {"zh": "已知现金合计", "en": "Total known cash"},
    "not_summed": {"zh": "未计入合计（金额未公布）", "en": "Not in the total (amount not published)"},
    "nothing": {"zh": "该地区没有适用的待遇。", "en": "No benefit of this region applies."},
    "applicant": {"zh": "申请人", "en": "Applicant"},
    "as_of": {"zh": "评估日期", "en": "As of"},
    "rules_version": {"zh": "规则版本", "en": "Rules version"},
    "source": {"zh": "依据", "en": "Source"},
    "assumptions": {"zh": "解读假设", "en": "Assumptions"},
    "missing_facts": {"zh": "需补充", "en": "Supply"},
    "superseded_by": {"zh": "已由以下待遇替代", "en": "superseded by"},
    "note": {"zh": "说明", "en": "Note"},
    "yuan": {"zh": "元", "en": "yuan"},
    "not_granted": {"zh": "未获得", "en": "not granted"},
    "not_in_force": {"zh": "当日未生效", "en": "not in force that day"},
    "why": {"zh": "依据的条件", "en": "Why: each condition"},
    "why_not": {"zh": "未获得的原因（不满足的条件）", "en": "Why not: the conditions that failed"},
    "applicant_value": {"zh": "申请人", "en": "applicant"},
    "in_force_from": {"zh": "生效日期", "en": "in force from"},
    "in_force_until": {"zh": "失效日期", "en": "in force until"},
    "near_misses": {"zh": "差一个条件", "en": "Near misses: one condition away"},
    "would_satisfy": {"zh": "满足条件", "en": "would be met by"},
    "eligible_from": {"zh": "符合日期", "en": "eligible from"},
    "then_needs_info": {"zh": "届时仍需补充", "en": "then still to supply"},
    "or": {"zh": "或", "en": "or"},
    "what_if": {"zh": "假设变更", "en": "What if"},
    "changes_against_original": {"zh": "与原情况相比", "en": "Against the original"},
    "gained": {"zh": "新增", "en": "gained"},
    "lost": {"zh": "失去", "en": "lost"},
    "changed": {"zh": "变化", "en": "changed"},
    "no_change": {"zh": "待遇无变化", "en": "no entitlement changes"},
    "total_delta": {"zh": "已知现金合计变化", "en": "Change in total known cash"},
    "rank": {"zh": "排名", "en": "Rank"},
    "region": {"zh": "地区", "en": "Region"},
    "zone": {"zh": "园区", "en": "Zone"},
    "granted_benefits": {"zh": "可享受的待遇", "en": "Granted benefits"},
    "unpriced": {"zh": "金额未知的待遇", "en": "Benefits without a known amount"},
    "compare_title": {"zh": "各地区对比（按已知现金合计排序）", "en": "Regions compared (by total known cash)"},
    # the rule catalogue
    "in_force": {"zh": "现行", "en": "in force"},
    "id": {"zh": "编号", "en": "ID"},
    "amount_heading": {"zh": "金额", "en": "Amount"},
    "frequency": {"zh": "频次", "en": "Frequency"},
    "effective": {"zh": "有效期", "en": "In force"},
    "open_start": {"zh": "（未注明起始日期）", "en": "(no start date)"},
    "open_end": {"zh": "至今", "en": "open"},
    "exclusivity_group": {"zh": "就高不重复组", "en": "Exclusivity group (highest only)"},
    "condition": {"zh": "条件", "en": "Condition"},
    "no_condition": {"zh": "（无其他条件）", "en": "(no further condition)"},
    "definition": {"zh": "定义", "en": "Definition"},
    "quote": {"zh": "原文", "en": "Quote"},
    "rules_count": {"zh": "条规则", "en": "rule(s)"},
    "no_rules": {"zh": "没有规则。", "en": "No rules."},
    # programme codes
    "programme_code": {"zh": "代码", "en": "Code"},
    "programme_name": {"zh": "名称", "en": "Name"},
    "meaning": {"zh": "含义", "en": "Meaning"},
    "aliases": {"zh": "其他名称", "en": "Other names"},
    "no_programmes": {"zh": "没有人才计划代码。", "en": "No programme codes."},
    # the batch summary
    "rows": {"zh": "行数", "en": "Rows"},
    "rows_with_errors": {"zh": "错误行", "en": "Rows with errors"},
    "granted_count": {"zh": "可享受人数", "en": "Granted"},
    "cash_yuan": {"zh": "现金（元）", "en": "Cash (yuan)"},
    "needs_info_count": {"zh": "需补充信息", "en": "Needs info"},
    # the readable roster (CSV and .xlsx)
    "row_heading": {"zh": "行号", "en": "Row"},
    "row_ok": {"zh": "已评估", "en": "scored"},
    "row_error": {"zh": "有错误", "en": "error"},
    "error_heading": {"zh": "错误说明", "en": "Problems"},
    "at_least": {"zh": "至少", "en": "at least "},
    "benefit_granted": {"zh": "可享受", "en": "granted"},
    "benefit_needs_info": {"zh": "需补充信息", "en": "needs information"},
    "benefit_proposed": {"zh": "拟设立", "en": "proposed"},
    "benefit_superseded": {"zh": "被更高档替代", "en": "superseded by a higher tier"},
    "sheet_results": {"zh": "评估结果", "en": "Results"},
    "sheet_summary": {"zh": "汇总", "en": "Summary"},
    "sheet_regions": {"zh": "分地区", "en": "Regions"},
    "sheet_errors": {"zh": "错误行", "en": "Errors"},
    "sheet_about": {"zh": "说明", "en": "About"},
    "cash_total": {"zh": "已知现金合计", "en": "Known cash"},
    "input_file": {"zh": "输入文件", "en": "Input file"},
    "item": {"zh": "项目", "en": "Item"},
    "value": {"zh": "内容", "en": "Value"},
    # case files (eligibility test)
    "case_passed": {"zh": "通过", "en": "PASS"},
    "case_failed": {"zh": "未通过", "en": "FAIL"},
    "expected": {"zh": "预期", "en": "expected"},
    "got": {"zh": "实际", "en": "got"},
    "not_listed": {"zh": "未列出", "en": "not listed"},
    "none_listed": {"zh": "（无）", "en": "(none)"},
    "no_amount_given": {"zh": "无金额", "en": "no amount"},
    "to_supply": {"zh": "需补充", "en": "to supply"},
    "near_miss": {"zh": "差一个条件", "en": "near miss"},
    "near_misses_order": {"zh": "差一个条件的待遇（顺序不同）", "en": "near misses (in another order)"},
    "failing_condition": {"zh": "不满足的条件", "en": "failing condition"},
    "if_met": {"zh": "满足后", "en": "if met"},
    "cases_summary": {
        "zh": "通过 {passed} 例，未通过 {failed} 例（共运行 {total} 例）",
        "en": "{passed} passed, {failed} failed ({total} case(s) run)",
    },
    # a new region's pack (rules new)
    "wrote": {"zh": "已写入", "en": "wrote"},
    "new_pack_next": {
        "zh": "下一步：填写 {pack}（替换每个 {placeholder}，写法见作者指南 docs/authoring.md），在 {cases} 中写案例；然后运行\n"
        "  eligibility rules lint {directory} --sources 原文所在目录\n"
        "  eligibility test {cases} --rules {directory}",
        "en": "Next: fill in {pack} (replace every {placeholder}; how: the authoring guide, docs/authoring.md) and write "
        "cases in {cases}; then run\n"
        "  eligibility rules lint {directory} --sources DIRECTORY_OF_THE_SOURCE_TEXTS\n"
        "  eligibility test {cases} --rules {directory}",
    },
    "case_problems": {
        "zh": "{count} 处案例文件问题，相关案例未运行",
        "en": "{count} case file problem(s): those cases did not run",
    },
}


def words(names: Names, language: Language) -> str:
    """A bilingual name in `language`."""
    return names.zh if language == "zh" else names.en


def label(key: str, language: Language) -> str:
    """The word for `key` in `language`: this table's, else a fact's name, else the key itself."""
    if key in LABELS:
        return LABELS[key][language]
    if key in FACTS:
        return words(FACTS[key].names, language)
    return key


def default_language() -> Language:
    """Chinese when the locale says so (LC_ALL, LC_MESSAGES, LANG), else English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    detected = locale.getlocale()[0] or ""
    return "zh" if detected.lower().startswith("zh") else "en"
