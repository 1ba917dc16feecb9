// Builds the console into dist/ (hashed assets under dist/assets). Element Plus components are
// imported on demand by unplugin-vue-components, styles included, so a page carries only what it
// uses. `vite` and `vite preview` proxy the API to a ledgerd at LEDGER_URL and send the same CSP
// as ledgerd does, so a CSP break shows in development too.
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

const ledger = process.env.LEDGER_URL ?? 'http://127.0.0.1:8080'
const apiPaths = ['/v1', '/healthz', '/readyz', '/openapi.json', '/metrics']
const proxy = Object.fromEntries(apiPaths.map((p) => [p, { target: ledger, changeOrigin: false }]))
export const securityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'", // as api/web_root.h
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
}

export default defineConfig({
  plugins: [vue(), Components({ resolvers: [ElementPlusResolver()], dts: false })],
  server: { host: '127.0.0.1', proxy },
  preview: { host: '127.0.0.1', proxy, headers: securityHeaders },
  build: { target: 'es2020', assetsInlineLimit: 0, chunkSizeWarningLimit: 700 },
  test: { environment: 'happy-dom', include: ['src/**/*.test.ts'] },
})
