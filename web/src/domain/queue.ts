// The coordinator's queue: services of the branch still waiting for verification. No route lists
// them, so the queue reads the streams of the branch's volunteers that have pending minutes.
import { listMembers, readStream, type Member } from '../api/ledger'
import { servicesOf, type Service } from './services'
import { memberName } from './names'

export interface QueueItem extends Service {
  volunteerName: string
  elderName: string
}

export async function loadQueue(branchId: string, minPosition?: number): Promise<{ items: QueueItem[]; members: Member[] }> {
  const members = await listMembers(branchId, minPosition)
  const names = new Map(members.map((m) => [m.member_id, memberName(m)]))
  const waiting = members.filter((m) => m.kind !== 'elder' && m.pending_minutes > 0)
  const streams = await Promise.all(waiting.map((m) => readStream(`member-${m.member_id}`)))
  const items: QueueItem[] = []
  for (const events of streams) {
    for (const s of servicesOf(events)) {
      if (s.state !== 'pending') continue
      items.push({ ...s, volunteerName: names.get(s.volunteerId) ?? s.volunteerId, elderName: s.elderId ? names.get(s.elderId) ?? s.elderId : '' })
    }
  }
  items.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))
  return { items, members }
}
