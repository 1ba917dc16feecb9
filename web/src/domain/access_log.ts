// The access log (docs/privacy.md) as a member reads it on her phone: what was looked at, in
// words, and one line for a run of the same person looking at the same thing.
import type { AccessLogEntry } from '../api/ledger'
import { zh } from '../locales/zh-CN'

/** What a route showed of her, in words; the route itself for one this list does not know. */
export function accessWhat(route: string): string {
  const path = route.replace(/^[A-Z]+ /, '')
  if (route.startsWith('POST /v1/members/{id}/certificates')) return zh.accessLog.issuedCertificate
  if (route.startsWith('POST /v1/members/{id}/attestations')) return zh.accessLog.attestation
  if (path === '/v1/members/{id}' || path === '/v1/members') return zh.accessLog.profile
  if (path.startsWith('/v1/streams') || path.startsWith('/v1/events')) return zh.accessLog.services
  if (path.startsWith('/v1/requests')) return zh.accessLog.requests
  if (path.startsWith('/v1/certificates')) return zh.accessLog.certificate
  return route
}

export interface AccessLine {
  at: string // the newest of the run
  who: string // role in words
  actor: string // the key or account id ('' for a public certificate read)
  what: string
  count: number
}

/** Newest first, as the log reads; consecutive entries of one actor and one route fold into one
 *  line that keeps the newest time and counts them. */
export function accessLines(entries: AccessLogEntry[]): AccessLine[] {
  const out: AccessLine[] = []
  let last: { actor: string; route: string } | null = null
  for (const e of entries) {
    if (last && last.actor === e.actor && last.route === e.route) {
      out[out.length - 1].count += 1
      continue
    }
    last = { actor: e.actor, route: e.route }
    // A member reads no one's personal fields but her own: that line is her.
    const who = e.role === 'public' ? zh.volunteer.accessLogPublic
      : e.role === 'member' ? zh.accessLog.herself
        : (zh.roles[e.role] ?? e.role)
    out.push({ at: e.at, who, actor: e.actor, what: accessWhat(e.route), count: 1 })
  }
  return out
}
