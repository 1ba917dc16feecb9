// Certificates of volunteer service as the console shows them: the subject of a credential
// (docs/certificates.md, "The credential") and a member's certificates read from her stream
// (CertificateIssued and CertificateRevoked are recorded on member-<id>).
import type { StoredEvent } from '../api/ledger'

/** What the printed certificate shows, read from the credential's subject (integers only). */
export interface CertificateSubject {
  number: string
  memberId: string
  name: string
  organisation: string
  from: string
  to: string
  verifiedMinutes: number
  services: number
  kinds: string[]
  issuer: string
  validFrom: string
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : ''
}

function integer(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) ? v : 0
}

/** The subject of a credential; missing fields become "" or 0 (the verdict says whether it holds). */
export function subjectOf(credential: Record<string, unknown>): CertificateSubject {
  const s = (credential.credentialSubject ?? {}) as Record<string, unknown>
  return {
    number: text(s.certificate_number),
    memberId: text(s.id).replace(/^urn:zhaiyi:member:/, ''),
    name: text(s.name),
    organisation: text(s.organisation),
    from: text(s.from),
    to: text(s.to),
    verifiedMinutes: integer(s.verified_minutes),
    services: integer(s.services),
    kinds: Array.isArray(s.kinds) ? s.kinds.filter((k): k is string => typeof k === 'string') : [],
    issuer: text(credential.issuer),
    validFrom: text(credential.validFrom),
  }
}

/** A certificate issued to a member, as her stream records it. */
export interface IssuedCertificate {
  id: string
  from: string
  to: string
  verifiedMinutes: number
  services: number
  issuedAt: string
  revoked: boolean
  reason: string
}

/** The member's certificates, in the order issued, with their revocations applied. */
export function certificatesOf(events: StoredEvent[]): IssuedCertificate[] {
  const out = new Map<string, IssuedCertificate>()
  for (const e of events) {
    const d = e.data
    const id = text(d.certificate_id)
    if (e.type === 'CertificateIssued') {
      out.set(id, {
        id, from: text(d.from), to: text(d.to), verifiedMinutes: integer(d.verified_minutes), services: integer(d.services),
        issuedAt: e.occurred_at, revoked: false, reason: '',
      })
    } else if (e.type === 'CertificateRevoked') {
      const c = out.get(id)
      if (c) {
        c.revoked = true
        c.reason = text(d.reason)
      }
    }
  }
  return [...out.values()]
}
