// Starts ledgerd with the demo ledger on a free 127.0.0.1 port in a temporary data directory and
// serves the built console (web/dist) with it: by ledgerd itself when it has --web-root, else by
// `vite preview` proxying the API to it. Stops both and removes the directory at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const web = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const repo = resolve(web, '..')

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer()
    s.once('error', fail)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => ok(port))
    })
  })
}

async function waitReady(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`)
    try {
      const r = await fetch(url)
      if (r.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} did not become ready at ${url}`)
}

function stop(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve()
  return new Promise((ok) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    child.once('exit', () => {
      clearTimeout(timer)
      ok()
    })
    child.kill('SIGTERM')
  })
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const ledgerd = process.env.LEDGERD ?? join(repo, 'build/release/tools/ledgerd')
  if (!existsSync(ledgerd)) throw new Error(`no ledgerd at ${ledgerd}: build it first (cmake --build --preset release --target ledgerd)`)
  if (!existsSync(join(web, 'dist/index.html'))) throw new Error('no web/dist: run `npm run build` first')
  const data = mkdtempSync(join(tmpdir(), 'zl-console-e2e-'))
  const apiPort = await freePort()
  const help = spawnSync(ledgerd, ['--help'], { encoding: 'utf8' }).stdout ?? ''
  const servesConsole = help.includes('--web-root')
  const args = ['--data', data, '--listen', `127.0.0.1:${apiPort}`, '--demo', '--log-requests', 'off']
  if (servesConsole) args.push('--web-root', join(web, 'dist'))
  const env = { ...process.env }
  delete env.LEDGER_ADMIN_KEY
  const server = spawn(ledgerd, args, { stdio: ['ignore', 'inherit', 'inherit'], env })
  let preview: ChildProcess | null = null
  const ledgerUrl = `http://127.0.0.1:${apiPort}`
  try {
    await waitReady(`${ledgerUrl}/readyz`, server, 'ledgerd')
    let consoleUrl = ledgerUrl
    if (!servesConsole) {
      const port = await freePort()
      preview = spawn(join(web, 'node_modules/.bin/vite'), ['preview', '--port', String(port), '--strictPort', '--bypass-lock'], {
        cwd: web,
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, LEDGER_URL: ledgerUrl },
      })
      consoleUrl = `http://127.0.0.1:${port}`
      await waitReady(`${consoleUrl}/login`, preview, 'vite preview')
    }
    // The client's types must be those of the contract this ledgerd serves.
    const gen = spawnSync(process.execPath, [join(web, 'scripts/gen-api.mjs'), '--check', ledgerUrl], { encoding: 'utf8' })
    if (gen.status !== 0) throw new Error(gen.stderr || gen.stdout)
    console.log(gen.stdout.trim())
    process.env.CONSOLE_URL = consoleUrl
    process.env.LEDGER_URL = ledgerUrl
    process.env.LEDGER_ADMIN_KEY_E2E = readFileSync(join(data, 'admin.key'), 'utf8').trim()
    process.env.CONSOLE_SERVED_BY = servesConsole ? 'ledgerd --web-root' : 'vite preview (ledgerd has no --web-root yet)'
    console.log(`e2e: console at ${consoleUrl} served by ${process.env.CONSOLE_SERVED_BY}; ledgerd ${ledgerUrl}, data ${data}`)
  } catch (e) {
    await stop(preview)
    await stop(server)
    rmSync(data, { recursive: true, force: true })
    throw e
  }
  return async () => {
    await stop(preview)
    await stop(server)
    rmSync(data, { recursive: true, force: true })
  }
}
