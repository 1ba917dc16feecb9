import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import type { Member } from '../api/ledger'
import { awardEvent, awardLine, awardProblem, correctionEvent, fileErrorText, relationEvent, relationLine, relationProblem } from './file'

describe('awardLine', () => {
  it('shows the title, then level and grantor when given', () => {
    expect(awardLine({ award_id: 'a', title: '优秀志愿者', granted_at: '2026-11-01T10:00:00Z' })).toBe('优秀志愿者')
    expect(awardLine({ award_id: 'a', title: '优秀志愿者', level: '区级', grantor: '石园街道办事处', granted_at: '2026-11-01T10:00:00Z' }))
      .toBe('优秀志愿者（区级 · 石园街道办事处）')
    expect(awardLine({ award_id: 'a', title: '服务之星', grantor: '义工社', granted_at: '2026-11-01T10:00:00Z' })).toBe('服务之星（义工社）')
  })
})

describe('relationLine', () => {
  it('reads from this member’s side, either way round', () => {
    expect(relationLine({ relation_id: 'r', relative_id: 'v-li', relation: 'child', reverse: false })).toBe('子女：v-li')
    expect(relationLine({ relation_id: 'r', relative_id: 'e-qian', relation: 'guardian', reverse: true })).toBe('e-qian 的监护人')
  })
})

describe('the forms', () => {
  it('need a title for an award, and a relative (an id, not herself) and a relation for a relation', () => {
    expect(awardProblem({ title: '  ', grantor: '', level: '' })).toBe('请填写表彰名称。')
    expect(awardProblem({ title: '优秀志愿者', grantor: '', level: '' })).toBe('')
    expect(relationProblem('v-1', { relativeId: '', relation: 'spouse' })).toBe('请填写亲属的成员编号并选择关系。')
    expect(relationProblem('v-1', { relativeId: 'e-1', relation: '' })).toBe('请填写亲属的成员编号并选择关系。')
    expect(relationProblem('v-1', { relativeId: '王 秀兰', relation: 'spouse' })).toBe('成员编号只能包含字母、数字和 . _ : -')
    expect(relationProblem('v-1', { relativeId: 'v-1', relation: 'spouse' })).toBe('不能登记为自己的亲属。')
    expect(relationProblem('v-1', { relativeId: ' e-1 ', relation: 'guardian' })).toBe('')
  })

  it('write the events API.md fixes, optional fields only when filled', () => {
    expect(awardEvent('v-1', { title: ' 优秀志愿者 ', grantor: '', level: '区级' }, 'award-1', '2026-11-08T10:00:00+08:00')).toEqual({
      id: 'award-1', type: 'AwardGranted', occurred_at: '2026-11-08T10:00:00+08:00',
      data: { award_id: 'award-1', member_id: 'v-1', title: '优秀志愿者', level: '区级' },
    })
    expect(relationEvent('e-1', { relativeId: ' v-2 ', relation: 'child' }, 'rel-1', '2026-11-08T10:00:00+08:00')).toEqual({
      id: 'rel-1', type: 'RelationRegistered', occurred_at: '2026-11-08T10:00:00+08:00',
      data: { relation_id: 'rel-1', member_id: 'e-1', relative_id: 'v-2', relation: 'child' },
    })
  })
})

describe('correctionEvent', () => {
  const member: Member = {
    member_id: 'v-1', kind: 'volunteer', branch_id: 'b-1', active: true, star: 0, verified_minutes: 0, pending_minutes: 0,
    credit_minutes: 0, gifted_minutes: 0, redeemed_minutes: 0, training_minutes: 0, income_fen: 0, awards: [], star_from_minutes: 0, next_star_minutes: 600, name: '王秀兰', phone: '13800000001',
  }
  it('sends only what changed, and nothing when nothing did', () => {
    expect(correctionEvent(member, { name: '王秀兰', phone: '13800000001' }, 'u-1', 'at')).toBeNull()
    expect(correctionEvent(member, { name: ' ', phone: '' }, 'u-1', 'at')).toBeNull()
    expect(correctionEvent(member, { name: '王秀兰', phone: ' 13900000009 ' }, 'u-1', 'at')).toEqual({
      id: 'u-1', type: 'MemberUpdated', occurred_at: 'at', data: { member_id: 'v-1', phone: '13900000009' },
    })
  })
})

describe('fileErrorText', () => {
  it('names the file’s own refusals and leaves the rest to the general wording', () => {
    const fallback = () => 'general'
    expect(fileErrorText(new ApiError(422, 'unknown_member', 'x'), fallback)).toBe('没有这个成员编号，请核对。')
    expect(fileErrorText(new ApiError(403, 'forbidden', 'x'), fallback)).toBe('对方不是本站点的成员：跨站点的亲属关系请联系管理员登记。')
    expect(fileErrorText(new ApiError(422, 'month_sealed', 'x'), fallback)).toBe('general')
  })
})
