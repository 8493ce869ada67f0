import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * npm run build: the server as plain JavaScript in server/dist, file for file (server/src/x.ts →
 * server/dist/x.js), so that paths relative to a module (config/, prisma/migrations, the .lua
 * scripts beside their module, the H5 build) resolve as they do from the sources. No TypeScript
 * loader runs in production; types are checked by `npm run typecheck`, not here. Tests and the
 * WeChat emulator (server/wechat-emulator) are not part of it.
 */
const ROOT = path.resolve(__dirname, '..');
const SRC = path.join(ROOT, 'server/src');
const OUT = path.join(ROOT, 'server/dist');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

async function main() {
  const started = Date.now();
  rmSync(OUT, { recursive: true, force: true });
  const files = walk(SRC);
  const entryPoints = files.filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f));
  await build({
    entryPoints,
    outbase: SRC,
    outdir: OUT,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  // What modules read from beside themselves at run time (Lua scripts, the Prisma client's files).
  const assets = files.filter((f) => !/\.(ts|tsx)$/.test(f));
  for (const f of assets) cpSync(f, path.join(OUT, path.relative(SRC, f)));
  console.log(`server built into ${path.relative(ROOT, OUT)}: ${entryPoints.length} modules, ${assets.length} assets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
