// A member's name as the console shows it: her name when the reader may see it, 已删除 once her
// personal data was erased (docs/privacy.md), else her id.
import type { Member } from '../api/ledger'
import { zh } from '../locales/zh-CN'

export function memberName(m: Pick<Member, 'member_id' | 'name' | 'personal_data_erased'>): string {
  if (m.personal_data_erased) return zh.members.erased
  return m.name ?? m.member_id
}
