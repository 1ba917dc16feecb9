// A volunteer's file as the console shows and writes it (API.md "Records a volunteer's file
// needs"): awards (表彰) and family relations from the member read, and the AwardGranted and
// RelationRegistered events the coordinator's forms record.
import { ApiError } from '../api/client'
import type { Member, NewEvent } from '../api/ledger'
import { zh } from '../locales/zh-CN'

export type Award = Member['awards'][number]
export type Relation = NonNullable<Member['relations']>[number]
export type RelationKind = Relation['relation']

export const relationKinds: RelationKind[] = ['spouse', 'parent', 'child', 'sibling', 'guardian', 'other_family']

const ID = /^[A-Za-z0-9._:-]{1,128}$/

/** One line for an award: its title, then level and grantor when given (e.g. 优秀志愿者（区级 · 石园街道办事处）). */
export function awardLine(award: Award): string {
  const extra = [award.level, award.grantor].filter((x): x is string => !!x)
  return extra.length ? `${award.title}（${extra.join(' · ')}）` : award.title
}

/** A relation in words, from this member's side: “子女：v-li” when the relative is her child,
 *  “v-li 的子女” when she is the relative's child (registered on the relative's record). */
export function relationLine(relation: Relation): string {
  const word = zh.file.relationNames[relation.relation] ?? relation.relation
  return relation.reverse ? zh.file.isRelativeOf(relation.relative_id, word) : zh.file.hasRelative(word, relation.relative_id)
}

export interface AwardForm { title: string; grantor: string; level: string }
export interface RelationForm { relativeId: string; relation: RelationKind | '' }

/** Why the award form cannot be sent, or '' when it can. */
export function awardProblem(form: AwardForm): string {
  return form.title.trim() ? '' : zh.file.needTitle
}

/** Why the relation form cannot be sent for `memberId`, or '' when it can. */
export function relationProblem(memberId: string, form: RelationForm): string {
  const relative = form.relativeId.trim()
  if (!relative || !form.relation) return zh.file.needRelation
  if (!ID.test(relative)) return zh.file.badId
  if (relative === memberId) return zh.file.self
  return ''
}

/** The AwardGranted event of the form (optional fields only when filled). */
export function awardEvent(memberId: string, form: AwardForm, id: string, at: string): NewEvent {
  const data: Record<string, string> = { award_id: id, member_id: memberId, title: form.title.trim() }
  if (form.grantor.trim()) data.grantor = form.grantor.trim()
  if (form.level.trim()) data.level = form.level.trim()
  return { id, type: 'AwardGranted', occurred_at: at, data } as NewEvent
}

/** The RelationRegistered event of the form: the relative is `memberId`'s `relation`. */
export function relationEvent(memberId: string, form: RelationForm, id: string, at: string): NewEvent {
  return {
    id, type: 'RelationRegistered', occurred_at: at,
    data: { relation_id: id, member_id: memberId, relative_id: form.relativeId.trim(), relation: form.relation },
  } as NewEvent
}

/** One sentence for a refused file record: the rule's words where the file has its own. */
export function fileErrorText(e: unknown, fallback: (e: unknown) => string): string {
  if (e instanceof ApiError) {
    if (e.code === 'unknown_member') return zh.file.unknownMember
    if (e.code === 'same_member') return zh.file.self
    if (e.status === 403) return zh.file.outside
  }
  return fallback(e)
}

export interface CorrectionForm { name: string; phone: string }

/** The MemberUpdated event of the correction form: only the fields that differ from `member`
 *  (trimmed, non-empty); null when nothing changes. */
export function correctionEvent(member: Member, form: CorrectionForm, id: string, at: string): NewEvent | null {
  const data: Record<string, string> = { member_id: member.member_id }
  const name = form.name.trim()
  const phone = form.phone.trim()
  if (name && name !== (member.name ?? '')) data.name = name
  if (phone && phone !== (member.phone ?? '')) data.phone = phone
  if (Object.keys(data).length === 1) return null
  return { id, type: 'MemberUpdated', occurred_at: at, data } as NewEvent
}
