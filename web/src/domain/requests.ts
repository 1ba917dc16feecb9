// The coordinator's request board: requests in columns by status, and the volunteers to assign
// one to, those who already served its elder first (the API lists no pairings, so "paired" is
// read from the services in the volunteers' own streams).
import type { Member, ServiceRequest } from '../api/ledger'

export interface Board {
  open: ServiceRequest[]
  assigned: ServiceRequest[]
  resolved: ServiceRequest[]
}

/** Open (urgent first), assigned and resolved requests, each oldest first; cancelled left out. */
export function boardOf(requests: ServiceRequest[]): Board {
  const byTime = (a: ServiceRequest, b: ServiceRequest) => a.requested_at.localeCompare(b.requested_at) || a.request_id.localeCompare(b.request_id)
  const of = (status: ServiceRequest['status']) => requests.filter((r) => r.status === status).sort(byTime)
  return {
    open: of('open').sort((a, b) => Number(b.urgent) - Number(a.urgent)),
    assigned: of('assigned'),
    resolved: of('resolved'),
  }
}

/** Active volunteers of the branch; those in `served` (member id → elders served) for the elder first. */
export function candidatesFor(elderId: string, members: Member[], served: Map<string, Set<string>>): Array<{ member: Member; paired: boolean }> {
  return members
    .filter((m) => m.kind !== 'elder' && m.active)
    .map((member) => ({ member, paired: served.get(member.member_id)?.has(elderId) ?? false }))
    .sort((a, b) => Number(b.paired) - Number(a.paired) || a.member.member_id.localeCompare(b.member.member_id))
}
