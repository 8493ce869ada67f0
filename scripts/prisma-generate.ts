import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** `prisma generate` without Prisma's download site: its schema engine is stubbed (NOTES.md). */
const root = path.resolve(__dirname, '..');
execFileSync(process.execPath, [path.join(root, 'node_modules/prisma/build/index.js'), 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, 'scripts/prisma-engine-stub.sh'),
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
