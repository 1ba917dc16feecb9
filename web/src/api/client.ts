// The only place that talks to the ledger. Types come from api/openapi.json (npm run gen:api), so
// a changed route breaks the type check. The session cookie is HttpOnly and goes by itself; every
// write carries the session's CSRF token. Errors become ApiError with the problem's `code`.
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'

export type { components } from './schema'

/** A problem+json answer, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(detail)
  }
}

let csrfToken: string | null = null
let onUnauthenticated: (() => void) | null = null

/** The token every write of this session carries (null when signed out). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

/** Called when a request finds the session gone (401), e.g. to show the sign-in page. */
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler
}

const csrf: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken)
    }
    return request
  },
}

// fetch looked up at each call (not captured once), so tests can stand in for the network.
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin', fetch: (request: Request) => globalThis.fetch(request) })
api.use(csrf)

interface Problem {
  code?: string
  detail?: string
  title?: string
}

/** The data of an openapi-fetch answer, or throws ApiError. */
export async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
  options: { quiet401?: boolean } = {},
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response }
  try {
    result = await call
  } catch (e) {
    throw new ApiError(0, 'network', String(e))
  }
  const { data, error, response } = result
  if (response.ok) return data as T
  const problem = (error ?? {}) as Problem
  const retry = response.headers.get('Retry-After')
  const err = new ApiError(
    response.status,
    problem.code ?? 'http_' + response.status,
    problem.detail ?? problem.title ?? response.statusText,
    retry !== null && /^\d+$/.test(retry) ? Number(retry) : null,
  )
  if (response.status === 401 && !options.quiet401 && onUnauthenticated) onUnauthenticated()
  throw err
}

/** A unique id for an event written from this console, e.g. "svc-v-wang-m3x9k2-a7f". */
export function newId(prefix: string): string {
  const random = new Uint32Array(2)
  crypto.getRandomValues(random)
  return `${prefix}-${Date.now().toString(36)}-${random[0].toString(36)}${random[1].toString(36)}`
}
