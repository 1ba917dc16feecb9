// The signed-in account (or none). Loaded once from GET /v1/sessions/current; the CSRF token
// lives only in memory and in the server's session.
import { reactive } from 'vue'
import { ApiError, setCsrfToken } from '../api/client'
import { currentSession, signIn, signOut, type Session } from '../api/ledger'

export const session = reactive<{ current: Session | null; loaded: boolean }>({ current: null, loaded: false })

function set(s: Session | null): void {
  session.current = s
  setCsrfToken(s ? s.csrf_token : null)
}

/** Asks the server once whether the cookie still holds a session. */
export async function loadSession(): Promise<void> {
  if (session.loaded) return
  try {
    set(await currentSession())
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403)) throw e
    set(null)
  } finally {
    session.loaded = true
  }
}

export async function signInAs(login: string, password: string): Promise<Session> {
  const s = await signIn(login, password)
  set(s)
  session.loaded = true
  return s
}

export async function signOutNow(): Promise<void> {
  try {
    await signOut()
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
  } finally {
    set(null)
  }
}

export function forget(): void {
  set(null)
}

/** The home route of a role. */
export function homeOf(role: string | undefined): string {
  switch (role) {
    case 'member': return '/me'
    case 'coordinator': return '/coordinator/queue'
    case 'partner': return '/partner'
    case 'auditor': return '/auditor'
    case 'admin': return '/admin'
    default: return '/login'
  }
}
