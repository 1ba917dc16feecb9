import { describe, expect, it } from 'vitest'
import type { AccessLogEntry } from '../api/ledger'
import { accessLines, accessWhat } from './access_log'

const entry = (at: string, actor: string, role: AccessLogEntry['role'], route: string): AccessLogEntry => ({
  at, actor, role, route, member_id: 'v-wang',
})

describe('the access log in words', () => {
  it('names what each route showed, and leaves an unknown route as it is', () => {
    expect(accessWhat('GET /v1/members/{id}')).toBe('查看了您的资料')
    expect(accessWhat('GET /v1/members')).toBe('查看了您的资料')
    expect(accessWhat('GET /v1/streams/{stream}')).toBe('查看了您的服务记录')
    expect(accessWhat('GET /v1/certificates/{id}')).toBe('查看了您的服务证明')
    expect(accessWhat('POST /v1/members/{id}/certificates')).toBe('为您开具服务证明')
    expect(accessWhat('GET /v1/somewhere/new')).toBe('GET /v1/somewhere/new')
  })

  it('folds a run of one person reading one thing into one line with the newest time', () => {
    const lines = accessLines([
      entry('2026-12-05T12:03:00Z', 'acct-a', 'coordinator', 'GET /v1/members/{id}'),
      entry('2026-12-05T12:02:00Z', 'acct-a', 'coordinator', 'GET /v1/members/{id}'),
      entry('2026-12-05T12:01:00Z', 'acct-a', 'coordinator', 'GET /v1/streams/{stream}'),
      entry('2026-12-05T12:00:00Z', '', 'public', 'GET /v1/certificates/{id}'),
      entry('2026-12-05T11:59:00Z', 'acct-a', 'coordinator', 'GET /v1/members/{id}'),
      entry('2026-12-05T11:58:00Z', 'acct-w', 'member', 'GET /v1/members/{id}'),
    ])
    expect(lines.map((l) => [l.at, l.who, l.what, l.count])).toEqual([
      ['2026-12-05T12:03:00Z', '协调员', '查看了您的资料', 2],
      ['2026-12-05T12:01:00Z', '协调员', '查看了您的服务记录', 1],
      ['2026-12-05T12:00:00Z', '凭证书编号查询', '查看了您的服务证明', 1],
      ['2026-12-05T11:59:00Z', '协调员', '查看了您的资料', 1],
      ['2026-12-05T11:58:00Z', '您本人', '查看了您的资料', 1],
    ])
  })
})
