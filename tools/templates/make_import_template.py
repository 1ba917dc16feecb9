#!/usr/bin/env python3
"""Writes the onboarding import template (docs/onboarding.md) into web/public/templates/:
members.csv, pairings.csv, services.csv (UTF-8 with a byte order mark, so that Excel opens the
Chinese headings correctly) and zhaiyi-import-template.xlsx (one sheet per kind plus 说明).

Only the Python standard library: the workbook is a handful of XML parts in a zip, with inline
strings, which every spreadsheet program reads (and api/xlsx_sheet.cc reads back). The headings
are those of api/sheet_import.cc; run this again whenever they change:

    python3 tools/templates/make_import_template.py
"""
import pathlib
import zipfile
from xml.sax.saxutils import escape

OUT = pathlib.Path(__file__).resolve().parents[2] / "web" / "public" / "templates"

SHEETS = [
    ("成员", "members.csv",
     ["成员编号", "类型(志愿者/老人/青年志愿者)", "所属站点", "姓名", "性别", "出生年份", "电话",
      "独居(是/否)", "技能", "登记日期"]),
    ("结对", "pairings.csv", ["结对编号", "志愿者编号", "老人编号", "结对日期"]),
    ("服务", "services.csv",
     ["服务编号", "志愿者编号", "老人编号", "服务类型", "开始时间", "时长(分钟)", "地点", "服务内容",
      "确认人", "评分(1-5)"]),
]

NOTES = [
    "宅益快 导入模板：成员、结对、已确认的服务记录",
    "每张表第 1 行是标题，不要改动；从第 2 行起每行一条。",
    "成员编号、结对编号、服务编号：1–128 个英文字母、数字或 . _ : - ，全账本唯一。",
    "类型：志愿者、老人或青年志愿者。所属站点：已开设站点的编号。独居：是或否。技能：用顿号分隔。",
    "日期写作 2026-03-01；开始时间写作 2026-03-01 09:30（北京时间），也可用 Excel 的日期格式。",
    "时长：整数分钟，1–720，不含路程。服务类型：上门探访、陪伴、喘息照护、跑腿代办、活动、手工或其他。",
    "确认人：确认这次服务的人（老人、监护人或活动负责人）。每条服务按“已确认”导入。",
    "任何一行有错时整份表格都不导入，并列出每处错误（表、行、列、原因）；同一份表格重复导入不会重复记账。",
]


def column_name(index):
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def sheet_xml(rows, widths):
    cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths))
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{column_name(c)}{r}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
            for c, text in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<cols>{cols}</cols><sheetData>{"".join(body)}</sheetData></worksheet>')


def workbook(path):
    names = [name for name, _, _ in SHEETS] + ["说明"]
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = rel + "/worksheet"
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType='
                      '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet'
                      '+xml"/>' for i in range(len(names)))
            + '</Types>',
        "_rels/.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>',
        "xl/workbook.xml":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                      for i, n in enumerate(names))
            + '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="rId{i + 1}" Type="{sheet_type}" '
                      f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
            + '</Relationships>',
    }
    for i, (_, _, headings) in enumerate(SHEETS):
        parts[f"xl/worksheets/sheet{i + 1}.xml"] = sheet_xml([headings], [16] * len(headings))
    parts[f"xl/worksheets/sheet{len(names)}.xml"] = sheet_xml([[n] for n in NOTES], [110])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            # A fixed date: the same headings give the same bytes.
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for _, file_name, headings in SHEETS:
        (OUT / file_name).write_bytes("\ufeff".encode("utf-8") + (",".join(headings) + "\r\n").encode("utf-8"))
    workbook(OUT / "zhaiyi-import-template.xlsx")


if __name__ == "__main__":
    main()
