import { readdirSync } from 'node:fs';
import path from 'node:path';

/** npm run bench -- <name>: runs tests/bench/<name>.ts (its default export). */
async function main() {
  const name = process.argv[2];
  const available = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !['index.ts', 'lib.ts'].includes(f)).map((f) => f.replace(/\.ts$/, ''));
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- <${available.join('|')}>`);
    process.exit(2);
  }
  const mod = (await import(path.join(__dirname, `${name}.ts`))) as { default: (args: string[]) => Promise<void> };
  await mod.default(process.argv.slice(3));
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
