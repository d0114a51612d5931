"""Writes examples/人才名册.xlsx: a roster as an HR office's Excel export really looks.

A merged title row above the header, Chinese headers, 是/否, a date column mixing
real Excel dates and dates typed as text, the office's own columns (姓名, 部门),
and one bad row. Run from the repository: python examples/make_roster_workbook.py
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

ROWS = [
    # 编号, 姓名, 部门, 地区, 园区, 学历, 职称, 引进方式, 本地工作起始日期, 是否在本地购房, 人才计划, 奖项
    ("001", "张伟", "农业农村局", "阿克苏", "", "博士", "", "全职引进", date(2019, 6, 1), "是", "", ""),
    ("002", "王芳", "高新区管委会", "阿克苏", "阿克苏阿拉尔高新区", "博士研究生", "", "", "2023/3/15", "是", "", ""),
    ("003", "李娜", "第一中学", "阿克苏", "", "硕士", "中级", "全职引进", "2020年6月2日", "是", "", ""),
    ("004", "刘洋", "人民医院", "阿克苏", "", "本科", "副高级", "全职引进", date(2018, 9, 1), "否", "", ""),
    ("005", "陈静", "科技局", "綦江", "", "硕士", "", "", "", "", "科技型企业", "国家级:200000:国家科技进步奖"),
    ("006", "杨磊", "招商局", "阿克苏", "", "博导", "", "全职引进", "2021-02-30", "也许", "", ""),
]
HEADER = (
    "编号",
    "姓名",
    "部门",
    "地区",
    "园区",
    "学历",
    "职称",
    "引进方式",
    "本地工作起始日期",
    "是否在本地购房",
    "人才计划",
    "奖项",
)


def main() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "人才名册"
    sheet.append(["2024年人才名册"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    for cell in sheet["I"][2:]:
        if isinstance(cell.value, date):
            cell.number_format = "yyyy-mm-dd"
    workbook.save(Path(__file__).with_name("人才名册.xlsx"))


if __name__ == "__main__":
    main()
