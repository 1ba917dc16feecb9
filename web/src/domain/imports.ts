// The onboarding import's page logic (docs/onboarding.md): which files it takes, and the report
// (POST /v1/imports/sheet) as sentences and rows. No rule is checked here: the server checks
// every row with the ledger's rules and answers each bad one.
import { zh } from '../locales/zh-CN'

export const xlsxMediaType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** The Content-Type to upload `fileName` with, or null for a file the import does not read. */
export function sheetMediaType(fileName: string): string | null {
  const lower = fileName.toLowerCase()
  if (lower.endsWith('.csv')) return 'text/csv'
  if (lower.endsWith('.xlsx')) return xlsxMediaType
  return null
}

export interface SheetProblemLike {
  sheet: string
  row: number
  column: string
  reason: string
  code: string
}

export interface SheetReportLike {
  members?: number
  pairings?: number
  services?: number
  events?: number
  already_imported?: number
  problems_total: number
  problems: SheetProblemLike[]
}

/** Where a problem is: "成员.csv 第 3 行", or the file alone (row 0). */
export function problemPlace(p: SheetProblemLike): string {
  return p.row > 0 ? zh.imports.place(p.sheet, p.row) : p.sheet
}

/** The problems in sheet order, then row order (the server lists format faults before rule faults). */
export function sortedProblems(problems: SheetProblemLike[]): SheetProblemLike[] {
  return [...problems].sort((a, b) => (a.sheet === b.sheet ? a.row - b.row : a.sheet < b.sheet ? -1 : 1))
}

/** One sentence of what a report counts: rows of each kind and the events they make. */
export function reportSummary(r: SheetReportLike): string {
  return zh.imports.summary(r.members ?? 0, r.pairings ?? 0, r.services ?? 0, r.events ?? 0, r.already_imported ?? 0)
}

/** How many problems the list leaves out (the server lists at most 200). */
export function problemsLeftOut(r: SheetReportLike): number {
  return Math.max(0, r.problems_total - r.problems.length)
}
