import { describe, expect, it } from 'vitest'
import { memberName } from './names'

describe('memberName', () => {
  it('shows 已删除 for an erased member, else her name or id', () => {
    expect(memberName({ member_id: 'e-1', personal_data_erased: true })).toBe('已删除')
    expect(memberName({ member_id: 'e-1', name: '王秀兰' })).toBe('王秀兰')
    expect(memberName({ member_id: 'e-1' })).toBe('e-1')
  })
})
