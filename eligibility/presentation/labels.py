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
    "compare_title": {
        "zh": "各地区对比（按已知现金合计排序，相同时按可享受待遇项数）",
        "en": "Regions compared (by total known cash, then by the number of benefits granted)",
    },
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
    # a report on the terminal
    "granted_heading": {"zh": "可享受的待遇", "en": "Granted"},
    "whether_in": {"zh": "：是否为", "en": ": whether in "},
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
    # the web pages (eligibility/web)
    "app_title": {"zh": "人才政策待遇计算器", "en": "Talent incentive calculator"},
    "other_language": {"zh": "English", "en": "中文"},
    "nav_check": {"zh": "个人查询", "en": "Check an applicant"},
    "nav_roster": {"zh": "名单评分", "en": "Score a roster"},
    "nav_rules": {"zh": "政策规则", "en": "Rules"},
    "nav_api": {"zh": "API 文档", "en": "API docs"},
    "check_intro": {
        "zh": "填写已知的情况；不知道的项留空（未知），结果会说明还需补充什么。",
        "en": "Fill in what you know; leave the rest blank (unknown): the result says what else it needs.",
    },
    "check_button": {"zh": "查询", "en": "Check"},
    "choose": {"zh": "请选择", "en": "choose"},
    "unknown_option": {"zh": "未知", "en": "unknown"},
    "none_of_these": {"zh": "以上都没有", "en": "none of these"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "or_years": {"zh": "填写起始日期或年限之一", "en": "give the start date or the years"},
    "awards_hint": {
        "zh": "级别:金额[:名称]，多项用 ; 分隔（金额未知：级别::名称；没有：无）。级别：{levels}",
        "en": "level:amount[:name], several separated by ; (amount unknown: level::name; none: none). Levels: {levels}",
    },
    "programmes_hint": {"zh": "只列出所选地区的人才计划", "en": "only the chosen region's programmes are offered"},
    "as_of_hint": {"zh": "留空为今天", "en": "blank: today"},
    "errors_heading": {"zh": "请更正以下内容", "en": "Please correct the following"},
    "result": {"zh": "查询结果", "en": "Result"},
    "none_granted": {"zh": "暂无确定可享受的待遇。", "en": "Nothing is granted yet."},
    "facts_given": {"zh": "申请人情况", "en": "The applicant's facts"},
    "nothing_given": {"zh": "未填写", "en": "nothing given"},
    "link_hint": {
        "zh": "本页链接可重现此结果：资料只在链接里，服务器不保存。",
        "en": "This page's link reproduces the result: the facts live only in the link, the server keeps none.",
    },
    "print": {"zh": "打印 / 保存为 PDF", "en": "Print / Save as PDF"},
    "needs_info_heading": {"zh": "可能还可享受（需补充信息）", "en": "Possibly also (information needed)"},
    "answer_to_update": {"zh": "补充以下情况即可更新结果：", "en": "Answer to update the result:"},
    "update": {"zh": "更新结果", "en": "Update the result"},
    "other_benefits": {"zh": "其他相关待遇", "en": "Other benefits listed"},
    "document": {"zh": "文件", "en": "Document"},
    "frequency_word": {"zh": "发放方式", "en": "Paid"},
    "what_if_hint": {
        "zh": "改动任意一项，查看新增、失去和变化的待遇。",
        "en": "Change any fact to see the benefits gained, lost and changed.",
    },
    "what_if_button": {"zh": "试算", "en": "Try it"},
    "changed_facts": {"zh": "变更的情况", "en": "Facts changed"},
    "compare_hint": {
        "zh": "同一人按相同情况在各地区（及园区）工作时可享受的待遇。",
        "en": "The same person, with the same record, working in each region (and zone).",
    },
    "explanation_hint": {"zh": "✓ 满足　✗ 不满足　? 未知", "en": "✓ met   ✗ not met   ? unknown"},
    "no_near_misses": {"zh": "没有差一个条件的待遇。", "en": "No benefit is one condition away."},
    "footer": {
        "zh": "结果为按公开政策原文计算的资格，以人才工作部门认定为准。",
        "en": "Results are eligibilities computed from the published policies; the talent office decides.",
    },
    "page_not_found": {"zh": "找不到该页面。", "en": "No such page."},
    # the web pages: rosters
    "roster_intro": {
        "zh": "上传人才名单（每行一人，列名同批量评分），下载评分结果。",
        "en": "Upload a roster (one applicant a row, columns as for batch scoring) and download the scored file.",
    },
    "roster_file": {"zh": "名单文件", "en": "Roster file"},
    "roster_columns": {"zh": "可用的列名：{columns}", "en": "Columns it reads: {columns}"},
    "cash_heading": {"zh": "现金", "en": "Cash"},
    "roster_limits": {
        "zh": "CSV、xlsx 或 xls，最大 {megabytes} MB。文件只用于本次评分：上传的文件在评分后删除，结果在下载后或 {minutes} 分钟后删除。",
        "en": "CSV, xlsx or xls, at most {megabytes} MB. Files serve this scoring only: the upload is deleted once scored, the result after its download or {minutes} minutes.",
    },
    "output_format": {"zh": "结果格式", "en": "Output format"},
    "score_button": {"zh": "开始评分", "en": "Score the roster"},
    "upload_failed": {"zh": "上传失败，请重试。", "en": "The upload failed; try again."},
    "needs_javascript": {"zh": "上传名单需要启用 JavaScript。", "en": "Uploading a roster needs JavaScript."},
    "uploading": {"zh": "上传中", "en": "Uploading"},
    "scoring": {"zh": "评分中", "en": "Scoring"},
    "rows_scored": {"zh": "已评分行数", "en": "Rows scored"},
    "scored": {"zh": "评分完成", "en": "Scored"},
    "download": {"zh": "下载结果", "en": "Download the result"},
    "download_once": {
        "zh": "结果文件只能下载一次，下载后即删除；{minutes} 分钟内未下载也会删除。",
        "en": "The result can be downloaded once; it is deleted then, or after {minutes} minutes.",
    },
    "downloaded": {"zh": "结果已下载，文件已删除。", "en": "The result was downloaded and is deleted."},
    "job_failed": {"zh": "无法评分", "en": "Could not score"},
    "job_missing": {
        "zh": "找不到该评分任务：可能已过期并删除。",
        "en": "No such scoring job: it may have expired and been deleted.",
    },
    "score_another": {"zh": "再评一份名单", "en": "Score another roster"},
    "notices": {"zh": "提示", "en": "Notices"},
    "scored_file": {"zh": "评分结果", "en": "scored"},
    # the web pages: the rule catalogue
    "rules_intro": {
        "zh": "每个地区的每条规则：金额、类别、状态、有效期、条件、原文和解读假设。",
        "en": "Every rule of every region: amount, kind, status, dates, conditions, the verbatim quote and assumptions.",
    },
    "search": {"zh": "搜索", "en": "Search"},
    "search_hint": {"zh": "中文或英文词语，如 购房、housing", "en": "a word in Chinese or English, e.g. 购房, housing"},
    "all_regions": {"zh": "全部地区", "en": "All regions"},
    "sources": {"zh": "政策文件", "en": "Sources"},
    "pack_version": {"zh": "规则包版本", "en": "Pack version"},
    "programmes_heading": {"zh": "人才计划代码", "en": "Programme codes"},
    "no_match": {"zh": "没有符合搜索的规则。", "en": "No rule matches the search."},
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
