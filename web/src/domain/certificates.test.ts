import { describe, expect, it } from 'vitest'
import type { StoredEvent } from '../api/ledger'
import { certificatesOf, subjectOf } from './certificates'

let position = 0
function ev(type: string, data: Record<string, unknown>, occurred = '2026-12-05T11:30:00+08:00'): StoredEvent {
  position++
  return { position, id: `e${position}`, type, stream: 'member-v-1', version: position, occurred_at: occurred, recorded_at: occurred, actor: 'a', data, prev_hash: '', hash: '' }
}

describe('subjectOf', () => {
  it('reads the figures of a credential and strips the member URN', () => {
    const s = subjectOf({
      issuer: 'did:key:z6Mkabc', validFrom: '2026-12-05T11:30:00+08:00',
      credentialSubject: { id: 'urn:zhaiyi:member:v-wang', certificate_number: 'ZYK-2026-000001', name: '王秀兰', verified_minutes: 360, services: 4, from: '2026-10-01', to: '2026-10-31', kinds: ['home_visit', 7], organisation: '宅益快' },
    })
    expect(s).toEqual({ number: 'ZYK-2026-000001', memberId: 'v-wang', name: '王秀兰', organisation: '宅益快', from: '2026-10-01', to: '2026-10-31', verifiedMinutes: 360, services: 4, kinds: ['home_visit'], issuer: 'did:key:z6Mkabc', validFrom: '2026-12-05T11:30:00+08:00' })
  })
  it('never takes a fractional number of minutes: it becomes 0', () => {
    expect(subjectOf({ credentialSubject: { verified_minutes: 1.5, services: '4' } })).toMatchObject({ verifiedMinutes: 0, services: 0, kinds: [] })
  })
})

describe('certificatesOf', () => {
  it('lists the certificates issued, in order, with revocations applied and other events ignored', () => {
    const events = [
      ev('CertificateIssued', { certificate_id: 'ZYK-2026-000001', member_id: 'v-1', from: '2026-10-01', to: '2026-10-31', verified_minutes: 360, services: 4, kinds: ['home_visit'] }),
      ev('ServiceLogged', { service_id: 's1' }),
      ev('CertificateIssued', { certificate_id: 'ZYK-2026-000002', member_id: 'v-1', from: '2026-11-01', to: '2026-11-30', verified_minutes: 90, services: 1, kinds: [] }, '2026-12-06T09:00:00+08:00'),
      ev('CertificateRevoked', { certificate_id: 'ZYK-2026-000001', reason: '期间有误' }),
      ev('CertificateRevoked', { certificate_id: 'ZYK-2026-999999', reason: '不存在' }),
    ]
    expect(certificatesOf(events)).toEqual([
      { id: 'ZYK-2026-000001', from: '2026-10-01', to: '2026-10-31', verifiedMinutes: 360, services: 4, issuedAt: '2026-12-05T11:30:00+08:00', revoked: true, reason: '期间有误' },
      { id: 'ZYK-2026-000002', from: '2026-11-01', to: '2026-11-30', verifiedMinutes: 90, services: 1, issuedAt: '2026-12-06T09:00:00+08:00', revoked: false, reason: '' },
    ])
  })
})
