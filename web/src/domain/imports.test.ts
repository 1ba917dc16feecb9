import { describe, expect, it } from 'vitest'
import { problemPlace, problemsLeftOut, reportSummary, sheetMediaType, sortedProblems, xlsxMediaType } from './imports'

describe('the import page', () => {
  it('uploads CSV and xlsx files with their media types and refuses other files', () => {
    expect(sheetMediaType('成员.CSV')).toBe('text/csv')
    expect(sheetMediaType('台账.xlsx')).toBe(xlsxMediaType)
    expect(sheetMediaType('台账.xls')).toBeNull()
    expect(sheetMediaType('notes.txt')).toBeNull()
  })

  it('names the row as the spreadsheet shows it, or the file alone', () => {
    const p = { sheet: '成员.csv', row: 3, column: '姓名', reason: '必填，不能为空', code: 'invalid_field' }
    expect(problemPlace(p)).toBe('成员.csv 第 3 行')
    expect(problemPlace({ ...p, row: 0 })).toBe('成员.csv')
  })

  it('lists problems by sheet and row', () => {
    const at = (sheet: string, row: number) => ({ sheet, row, column: '', reason: '', code: '' })
    expect(sortedProblems([at('服务', 2), at('成员', 9), at('成员', 3)]).map((p) => `${p.sheet}${p.row}`)).toEqual(['成员3', '成员9', '服务2'])
  })

  it('counts rows and events, and what the list leaves out', () => {
    const report = { members: 2, pairings: 1, services: 1, events: 5, already_imported: 0, problems_total: 0, problems: [] }
    expect(reportSummary(report)).toBe('成员 2 行，结对 1 行，服务 1 行：共 5 个事件。')
    expect(reportSummary({ ...report, events: 0, already_imported: 5 })).toBe('成员 2 行，结对 1 行，服务 1 行：共 0 个事件（另有 5 个以前已导入，不再重复记账）。')
    expect(problemsLeftOut({ problems_total: 250, problems: new Array(200).fill(null) })).toBe(50)
  })
})
