// One Chinese sentence for an API failure.
import { zh } from '../locales/zh-CN'
import { ApiError } from './client'

export function errorText(e: unknown): string {
  if (e instanceof ApiError) {
    if (e.status === 0) return zh.errors.network
    if (e.status === 404) return zh.errors.notFound
    if (e.status === 403) return zh.errors.forbidden
    if (e.code === 'month_sealed') return zh.errors.sealed
    if (e.code === 'already_verified') return zh.errors.already
    return zh.errors.generic(e.message)
  }
  return zh.errors.generic(String(e))
}

/** "3 分钟" or "40 秒" for a Retry-After. */
export function waitText(seconds: number): string {
  return seconds >= 60 ? zh.wait.minutes(Math.ceil(seconds / 60)) : zh.wait.seconds(seconds)
}
