// Writes a .gz sibling (gzip -9) next to every compressible file of the build, so ledgerd can
// send precompressed bytes to clients that accept gzip. Prints the sizes.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync, constants } from 'node:zlib'

const root = process.argv[2] ?? 'dist'
const compressible = /\.(js|mjs|css|html|svg|json|txt|map)$/
let raw = 0
let packed = 0
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (compressible.test(name)) {
      const data = readFileSync(path)
      const gz = gzipSync(data, { level: constants.Z_BEST_COMPRESSION })
      writeFileSync(`${path}.gz`, gz)
      raw += data.length
      packed += gz.length
      if (process.env.COMPRESS_VERBOSE) console.log(`${relative(root, path)}: ${data.length} → ${gz.length} bytes`)
    }
  }
}
walk(root)
console.log(`compress: ${root}: ${raw} bytes → ${packed} bytes gzip`)
