import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/**
 * A BFF as a real process (server/src/main.ts), for tests that need several processes or kill one
 * with SIGKILL. It listens on a free port and reports it over IPC when ready.
 */
export type BffProcess = { port: number; baseUrl: string; child: ChildProcess; kill: (signal?: NodeJS.Signals) => Promise<void> };

export async function startBffProcess(env: Record<string, string>): Promise<BffProcess> {
  const child = fork(path.resolve(__dirname, '../../server/src/main.ts'), [], {
    // BFF_CPU_PROF=<dir> writes a V8 CPU profile of each BFF process there when it exits (benchmarks).
    execArgv: ['--require', 'tsx/cjs', ...(process.env.BFF_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BFF_CPU_PROF}`] : [])],
    env: { ...process.env, APP_ENV: 'test', NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('BFF process did not start within 60 s')), 60_000);
    child.on('message', (m: { ready?: boolean; port?: number }) => {
      if (m?.ready && m.port) {
        clearTimeout(timer);
        resolve(m.port);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`BFF process exited with ${code} before it was ready`));
    });
  });
  return {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    child,
    kill: (signal: NodeJS.Signals = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
