// Typed calls the pages use: one function per route, each through the generated client.
import { api, unwrap, type components } from './client'

type S = components['schemas']
export type Session = S['Session']
export type Member = S['Member']
export type Fund = S['Fund']
export type Goods = S['Fund']['goods'][number]
export type Trail = S['Trail']
export type Outflow = S['Outflow']
export type Donation = S['Donation']
export type Partner = S['Partner']
export type MonthlyReport = S['MonthlyReport']
export type AuditHead = S['AuditHead']
export type Account = S['Account']
export type AccountCreated = S['AccountCreated']
export type NewEvent = S['NewEvent']
export type AppendResult = S['AppendResult']
/** A stored event with its data as plain JSON (the schema leaves `data` open). */
export type StoredEvent = Omit<S['StoredEvent'], 'data'> & { data: Record<string, unknown> }

export const signIn = (login: string, password: string) =>
  unwrap(api.POST('/v1/sessions', { body: { login, password } }), { quiet401: true })
export const currentSession = () => unwrap(api.GET('/v1/sessions/current'), { quiet401: true })
export const signOut = () => unwrap(api.DELETE('/v1/sessions/current'), { quiet401: true })
export const activate = (token: string, password: string) =>
  unwrap(api.POST('/v1/accounts/activate', { body: { token, password } }))

export type AccessLogEntry = S['AccessLogEntry']
/** Who read the member's personal data, newest first (the member herself and admins). */
export const readAccessLog = (id: string, limit = 20) =>
  unwrap(api.GET('/v1/members/{id}/access-log', { params: { path: { id }, query: { limit } } }))

export const getMember = (id: string, options: { quiet401?: boolean } = {}) =>
  unwrap(api.GET('/v1/members/{id}', { params: { path: { id } } }), options)

/** Every member of a branch (follows the cursor). */
export async function listMembers(branchId: string, minPosition?: number): Promise<Member[]> {
  const out: Member[] = []
  let cursor: string | undefined
  for (let page = 0; page < 100; page++) {
    const answer = await unwrap(
      api.GET('/v1/members', { params: { query: { branch_id: branchId, limit: 1000, cursor, min_position: minPosition } } }),
    )
    out.push(...answer.items)
    if (!answer.next_cursor) break
    cursor = answer.next_cursor
  }
  return out
}

/** A stream's events from the start (follows next_version). */
export async function readStream(stream: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = []
  let from = 1
  for (let page = 0; page < 100; page++) {
    const answer = await unwrap(
      api.GET('/v1/streams/{stream}', { params: { path: { stream }, query: { from_version: from, limit: 1000 } } }),
    )
    out.push(...(answer.events as StoredEvent[]))
    if (answer.events.length === 0 || answer.next_version <= from) break
    from = answer.next_version
    if (answer.events.length < 1000) break
  }
  return out
}

/** Every fund the reader may see, of one branch or all (follows the cursor). */
export async function listFunds(branchId?: string): Promise<Fund[]> {
  const out: Fund[] = []
  let cursor: string | undefined
  for (let page = 0; page < 100; page++) {
    const answer = await unwrap(api.GET('/v1/funds', { params: { query: { branch_id: branchId, limit: 1000, cursor } } }))
    out.push(...answer.items)
    if (!answer.next_cursor) break
    cursor = answer.next_cursor
  }
  return out
}

export const getFund = (id: string) => unwrap(api.GET('/v1/funds/{id}', { params: { path: { id } } }))
export const getTrail = (id: string) =>
  unwrap(api.GET('/v1/funds/{id}/trail', { params: { path: { id }, query: { limit: 1000 } } }))
export const getDonation = (id: string) =>
  unwrap(api.GET('/v1/donations/{id}', { params: { path: { id } } }))
export const getPartner = (id: string) =>
  unwrap(api.GET('/v1/partners/{id}', { params: { path: { id } } }))
export const getMonthlyReport = (branchId: string, month: string) =>
  unwrap(api.GET('/v1/reports/monthly', { params: { query: { branch_id: branchId, month } } }))
export const getAuditHead = () => unwrap(api.GET('/v1/audit/head'))

export const appendEvent = (event: NewEvent) => unwrap(api.POST('/v1/events', { body: event }))
export const appendBatch = (events: NewEvent[]) =>
  unwrap(api.POST('/v1/events/batch', { body: { events } }))

export const listAccounts = (query: { role?: string; branch_id?: string }) =>
  unwrap(api.GET('/v1/accounts', { params: { query: query as never } }))
export const openMemberAccount = (login: string, displayName: string, memberId: string) =>
  unwrap(
    api.POST('/v1/accounts', {
      body: { login, display_name: displayName, role: 'member', member_id: memberId },
    }),
  )
export const reinvite = (accountId: string) =>
  unwrap(api.POST('/v1/accounts/{id}/invitation', { params: { path: { id: accountId } } } as never))

export type CertificateVerdict = S['CertificateVerdict']
/** Issues a certificate of volunteer service for a member's Beijing dates from..to. */
export const issueCertificate = (memberId: string, from: string, to: string) =>
  unwrap(api.POST('/v1/members/{id}/certificates', { params: { path: { id: memberId } }, body: { from, to } }))
/** A certificate and its status (no sign-in needed). */
export const getCertificate = (id: string) =>
  unwrap(api.GET('/v1/certificates/{id}', { params: { path: { id } } }), { quiet401: true })
/** The ledger's verdict on a credential (no sign-in needed). */
export const verifyCertificate = (credential: unknown) =>
  unwrap(api.POST('/v1/certificates/verify', { body: { credential: credential as Record<string, never> } }), { quiet401: true })

export type ServiceRequest = S['Request']
/** Service requests in the reader's scope (follows the cursor). */
export async function listRequests(query: { branch_id?: string; status?: ServiceRequest['status']; volunteer_id?: string }, minPosition?: number): Promise<ServiceRequest[]> {
  const out: ServiceRequest[] = []
  let cursor: string | undefined
  for (let page = 0; page < 100; page++) {
    const answer = await unwrap(api.GET('/v1/requests', { params: { query: { ...query, limit: 1000, cursor, min_position: minPosition } } }))
    out.push(...answer.items)
    if (!answer.next_cursor) break
    cursor = answer.next_cursor
  }
  return out
}

/** The month's filing package (报送包) as an Excel workbook (admin, auditor); 409
 * month_not_sealed until the month is sealed. */
export const downloadFilingPackage = (month: string) =>
  unwrap(api.GET('/v1/reports/monthly/filing', { params: { query: { month, format: 'xlsx' } }, parseAs: 'blob' })) as Promise<Blob>
/** A partner's statement (对账单) as Excel, CSV (UTF-8 with BOM) or JSON. */
export const downloadStatement = (partnerId: string, query: { from?: string; to?: string; format: 'xlsx' | 'csv' | 'json' }) =>
  unwrap(api.GET('/v1/partners/{id}/statement', { params: { path: { id: partnerId }, query }, parseAs: 'blob' })) as Promise<Blob>
export type SheetImportReport = S['SheetImportReport']
export type SheetImportProblem = S['SheetImportProblem']

/**
 * POST /v1/imports/sheet: the file itself as the body. A bad sheet (422) is an answer, not a
 * failure: `ok` false with the report's problems; anything else that fails throws ApiError.
 */
export async function importSheet(
  file: Blob,
  name: string,
  mediaType: string,
  dryRun: boolean,
): Promise<{ ok: true; report: SheetImportReport } | { ok: false; report: SheetImportProblem }> {
  const call = api.POST('/v1/imports/sheet', {
    params: { query: { dry_run: dryRun, name } },
    body: file as unknown as string,
    bodySerializer: (body: unknown) => body as BodyInit,
    headers: { 'Content-Type': mediaType },
  })
  let result: Awaited<typeof call>
  try {
    result = await call
  } catch (e) {
    return { ok: true, report: await unwrap(Promise.reject(e)) }
  }
  const error = result.error as Partial<SheetImportProblem> | undefined
  if (result.response.status === 422 && error && Array.isArray(error.problems)) {
    return { ok: false, report: error as SheetImportProblem }
  }
  return { ok: true, report: await unwrap(Promise.resolve(result)) }
}
