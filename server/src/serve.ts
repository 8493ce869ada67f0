import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { loadConfig, ConfigError } from './lib/config';
import { createLogger } from './lib/logger';

/**
 * Production: one BFF worker per core (node:cluster; the primary only supervises and hands out
 * connections). A worker that dies is replaced, after a growing pause if it keeps dying at once
 * (a broken release must not fork in a tight loop). On SIGTERM or SIGINT every worker drains as
 * main.ts does on its own (stops accepting, finishes what is in flight, closes its pools), and
 * the primary exits 0 once all have exited cleanly.
 */
const STOP_WITHIN_MS = 15_000;
const STABLE_AFTER_MS = 10_000;

function supervise() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const count = config.serve.workers > 0 ? config.serve.workers : availableParallelism();
  // The worker is main.ts/main.js beside this file (tsx in development keeps the .ts extension).
  cluster.setupPrimary({ exec: path.join(__dirname, `main${path.extname(__filename)}`) });

  const startedAt = new Map<number, number>();
  const ready = new Set<number>();
  let quickDeaths = 0;
  let stopping = false;
  let reported = false;

  const fork = () => {
    const w = cluster.fork();
    startedAt.set(w.id, Date.now());
    w.on('message', (m: { ready?: boolean; port?: number; startupCpuMs?: number }) => {
      if (!m?.ready) return;
      ready.add(w.id);
      const startup = { startupMs: Date.now() - startedAt.get(w.id)!, startupCpuMs: m.startupCpuMs };
      logger.info({ worker: w.process.pid, ...startup }, 'worker ready');
      process.send?.({ workerReady: w.process.pid, ...startup });
      if (!reported && ready.size === count) {
        reported = true;
        logger.info({ workers: count, port: m.port }, `BFF serving on http://${config.host}:${m.port} with ${count} workers`);
        // A parent that started us over IPC (tests, benchmarks) learns the port once all serve.
        process.send?.({ ready: true, port: m.port, workers: count });
      }
    });
  };

  cluster.on('exit', (w: Worker, code, signal) => {
    ready.delete(w.id);
    const lived = Date.now() - (startedAt.get(w.id) ?? 0);
    startedAt.delete(w.id);
    if (stopping) return;
    quickDeaths = lived < STABLE_AFTER_MS ? quickDeaths + 1 : 0;
    const pause = quickDeaths ? Math.min(30_000, 100 * 2 ** (quickDeaths - 1)) : 0;
    logger.error({ worker: w.process.pid, code, signal, restartInMs: pause }, 'worker died; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, pause).unref();
  });

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping every worker');
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    let failed = false;
    const exits = workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          // A worker still starting has nothing in flight: SIGTERM ending it before main.ts handles it is clean too.
          const starting = !ready.has(w.id);
          w.once('exit', (code, signal) => {
            if (code !== 0 && !(starting && signal === 'SIGTERM')) {
              failed = true;
              logger.error({ worker: w.process.pid, code, signal }, 'worker did not stop cleanly');
            }
            resolve();
          });
          // SIGTERM, not disconnect(): main.ts drains on it, exactly as a single process does.
          w.process.kill('SIGTERM');
        }),
    );
    const forced = setTimeout(() => {
      logger.error('workers did not stop in time; killing them');
      for (const w of workers) if (!w.isDead()) w.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_WITHIN_MS);
    void Promise.all(exits).then(() => {
      clearTimeout(forced);
      process.exit(failed ? 1 : 0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let i = 0; i < count; i++) fork();
}

try {
  supervise();
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
}
