"""Words the front ends show, in Chinese and English."""

from __future__ import annotations

import locale
import os
from typing import Literal

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
}


def label(key: str, language: Language) -> str:
    """The word for `key` in `language`; the key itself when there is none."""
    return LABELS.get(key, {}).get(language, key)


def default_language() -> Language:
    """Chinese when the locale says so (LC_ALL, LC_MESSAGES, LANG), else English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    detected = locale.getlocale()[0] or ""
    return "zh" if detected.lower().startswith("zh") else "en"
