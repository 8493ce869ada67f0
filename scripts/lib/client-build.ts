import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Builds a client target (h5 or weapp) when its output is missing or older than its sources. */
const ROOT = path.resolve(__dirname, '../..');
const CLIENT = path.join(ROOT, 'client');
const SOURCES = ['src', 'config', 'babel.config.js', 'package.json', 'tsconfig.json', 'project.config.json'];

function walk(p: string, out: string[]): void {
  if (!existsSync(p)) return;
  if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) walk(path.join(p, e), out);
  else out.push(p);
}

export function sourceHash(target: string, env: Record<string, string>): string {
  const files: string[] = [];
  for (const s of SOURCES) walk(path.join(CLIENT, s), files);
  const h = createHash('sha256').update(target).update(JSON.stringify(env));
  for (const f of files) h.update(path.relative(CLIENT, f)).update(readFileSync(f));
  return h.digest('hex');
}

export function outputDir(target: 'h5' | 'weapp'): string {
  return path.join(CLIENT, target === 'h5' ? 'dist-h5' : 'dist-weapp');
}

export function ensureClientBuilt(target: 'h5' | 'weapp', env: Record<string, string> = {}): { built: boolean; seconds: number } {
  const out = outputDir(target);
  const stamp = path.join(out, '.source-hash');
  const hash = sourceHash(target, env);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return { built: false, seconds: 0 };
  const started = Date.now();
  console.log(`building the ${target} client (sources changed or no build yet)…`);
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@tarojs/cli/bin/taro'), 'build', '--type', target], {
    cwd: CLIENT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', ...env },
  });
  writeFileSync(stamp, hash);
  return { built: true, seconds: (Date.now() - started) / 1000 };
}
