// Lighthouse (mobile, headless Debian Chromium) on the sign-in page and on the volunteer's page
// signed in: prints performance, accessibility and best-practices scores and the bytes
// transferred on first load.
//
// Usage: node scripts/lighthouse.mjs BASE_URL   (CHROME_PATH defaults to /usr/bin/chromium;
// LH_LOGIN / LH_PASSWORD default to the demo volunteer)
// Fails (exit 1) when accessibility is below 95 on either page or the volunteer's first load
// transfers more than 350 KB: both are deterministic. Performance is printed, not enforced: on a
// shared 2-core machine its simulated timings move with the load.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const base = (process.argv[2] ?? process.env.CONSOLE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '')
const chrome = process.env.CHROME_PATH ?? '/usr/bin/chromium'
const bin = join(dirname(fileURLToPath(import.meta.url)), '../node_modules/.bin/lighthouse')
const accessibilityMin = 95
const volunteerBytesMax = 350 * 1024

async function sessionCookie() {
  const r = await fetch(`${base}/v1/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: process.env.LH_LOGIN ?? '13800000001', password: process.env.LH_PASSWORD ?? 'zhaiyi-demo-volunteer' }),
  })
  if (r.status !== 201) throw new Error(`sign-in for Lighthouse answered ${r.status}`)
  const cookie = r.headers.get('set-cookie')?.split(';')[0]
  if (!cookie) throw new Error('no session cookie')
  return cookie
}

function run(url, headers) {
  const dir = mkdtempSync(join(tmpdir(), 'zl-lighthouse-'))
  const out = join(dir, 'report.json')
  const args = [url, '--quiet', '--output=json', `--output-path=${out}`, '--only-categories=performance,accessibility,best-practices',
    `--chrome-flags=--headless=new --no-sandbox --disable-gpu --user-data-dir=${join(dir, 'profile')}`]
  if (headers) args.push(`--extra-headers=${JSON.stringify(headers)}`)
  const started = Date.now()
  const p = spawnSync(bin, args, { env: { ...process.env, CHROME_PATH: chrome }, encoding: 'utf8', timeout: 180_000 })
  if (p.status !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`lighthouse ${url} failed (${p.status}): ${p.stderr?.slice(-2000)}`)
  }
  const report = JSON.parse(readFileSync(out, 'utf8'))
  rmSync(dir, { recursive: true, force: true })
  const score = (c) => Math.round(report.categories[c].score * 100)
  const failed = (c) => Object.values(report.audits).filter((a) => report.categories[c].auditRefs.some((r) => r.id === a.id && r.weight > 0) && a.score !== null && a.score < 1).map((a) => a.id)
  return {
    url,
    finalUrl: report.finalDisplayedUrl ?? report.finalUrl,
    performance: score('performance'),
    accessibility: score('accessibility'),
    bestPractices: score('best-practices'),
    bytes: report.audits['total-byte-weight'].numericValue,
    requests: report.audits['network-requests']?.details?.items?.length ?? 0,
    fcpMs: Math.round(report.audits['first-contentful-paint'].numericValue),
    lcpMs: Math.round(report.audits['largest-contentful-paint'].numericValue),
    below: { accessibility: failed('accessibility'), 'best-practices': failed('best-practices') },
    seconds: Math.round((Date.now() - started) / 1000),
  }
}

const results = [run(`${base}/login`)]
const cookie = await sessionCookie()
results.push(run(`${base}/me`, { Cookie: cookie }))
let ok = true
for (const r of results) {
  console.log(`lighthouse ${r.url} (mobile) → ${r.finalUrl}: performance ${r.performance}, accessibility ${r.accessibility}, best-practices ${r.bestPractices}; ` +
    `first load ${r.bytes} bytes (${(r.bytes / 1024).toFixed(1)} KB) in ${r.requests} requests; FCP ${r.fcpMs} ms, LCP ${r.lcpMs} ms; ${r.seconds} s`)
  for (const [c, ids] of Object.entries(r.below)) if (ids.length) console.log(`  ${c} audits not passed: ${ids.join(', ')}`)
  if (r.accessibility < accessibilityMin) {
    console.log(`  FAIL: accessibility ${r.accessibility} < ${accessibilityMin}`)
    ok = false
  }
}
const volunteer = results[1]
if (!volunteer.finalUrl.endsWith('/me')) {
  console.log(`  FAIL: the volunteer page was not reached signed in (ended at ${volunteer.finalUrl})`)
  ok = false
}
if (volunteer.bytes > volunteerBytesMax) {
  console.log(`  FAIL: the volunteer page's first load ${volunteer.bytes} bytes > ${volunteerBytesMax}`)
  ok = false
}
process.exit(ok ? 0 : 1)
