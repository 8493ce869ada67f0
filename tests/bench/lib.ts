import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import autocannon from 'autocannon';

/**
 * Benchmark helpers. Every benchmark runs the project and a baseline in the same run and prints
 * the ratio (these machines are shared and noisy). Load goes to loopback only and stops by itself.
 */
export type LoadResult = { name: string; requests: number; rps: number; p50: number; p99: number; non2xx: number; errors: number; statuses: Record<string, number> };

export type LoadOptions = {
  name: string;
  url: string;
  connections: number;
  durationSeconds?: number;
  /** Stop after this many requests instead of a duration. */
  amount?: number;
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
  /** A request per call (path, body, headers may vary); overrides url's path. */
  request?: () => { path: string; method?: string; body?: string; headers?: Record<string, string> };
  /** Rate cap over all connections (requests per second). */
  overallRate?: number;
};

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])[:/]/.test(o.url)) throw new Error(`benchmarks load loopback only, not ${o.url}`);
  const statuses: Record<string, number> = {};
  const result = await autocannon({
    url: o.url,
    connections: o.connections,
    // autocannon refuses a duration key that is present but undefined.
    ...(o.amount ? { amount: o.amount } : { duration: o.durationSeconds ?? 10 }),
    method: o.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...(o.headers ?? {}) },
    body: o.body,
    overallRate: o.overallRate,
    requests: o.request
      ? [
          {
            setupRequest: (req: Record<string, unknown>) => {
              const r = o.request!();
              return { ...req, path: r.path, method: r.method ?? req.method, body: r.body, headers: { ...(req.headers as object), ...(r.headers ?? {}) } };
            },
            onResponse: (status: number) => {
              statuses[status] = (statuses[status] ?? 0) + 1;
            },
          },
        ]
      : undefined,
  });
  const codes = o.request ? statuses : collectStatus(result);
  return {
    name: o.name,
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    statuses: codes,
  };
}

function collectStatus(r: autocannon.Result): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of ['1', '2', '3', '4', '5'] as const) {
    const n = (r as unknown as Record<string, number>)[`${k}xx`];
    if (n) out[`${k}xx`] = n;
  }
  return out;
}

/** The ceiling of the HTTP stack here: a bare node:http route returning a constant. */
export async function startBareServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const body = JSON.stringify({ ok: true });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export function printResults(title: string, rows: LoadResult[]): void {
  console.log(`\n== ${title}`);
  console.table(
    rows.map((r) => ({ name: r.name, requests: r.requests, 'req/s': Math.round(r.rps), 'p50 ms': r.p50, 'p99 ms': r.p99, non2xx: r.non2xx, errors: r.errors, statuses: JSON.stringify(r.statuses) })),
  );
}

export function printRatio(label: string, ours: number, theirs: number, target?: number): void {
  const ratio = theirs > 0 ? ours / theirs : Infinity;
  const verdict = target === undefined ? '' : ratio >= target ? `  (target ≥ ${target}: met)` : `  (target ≥ ${target}: NOT met)`;
  console.log(`${label}: ${ratio.toFixed(2)}x${verdict}`);
}

/** A baseline server (tests/bench/baseline-server.ts) in a process of its own. */
export async function startBaseline(mode: string, env: Record<string, string> = {}): Promise<{ url: string; close: () => Promise<void> }> {
  const { fork } = await import('node:child_process');
  const path = await import('node:path');
  const child = fork(path.resolve(__dirname, 'baseline-server.ts'), [], {
    execArgv: ['--require', 'tsx/cjs'],
    env: { ...process.env, BASELINE_MODE: mode, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { port?: number }) => m.port && resolve(m.port));
    child.once('exit', (code) => reject(new Error(`baseline ${mode} exited ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }),
  };
}

/**
 * What every benchmark prints beside its own figures, from the same run: the stack's ceilings (the
 * BFF's GET /healthz, Koa with the full middleware and no work, and a bare node:http route) and the
 * route at a fixed arrival rate of half of what it reached at saturation (open loop: autocannon's
 * overallRate), whose p50/p99 say what a user waits when the BFF is not overloaded.
 */
export async function ceilingsAndFixedRate(o: {
  label: string;
  bffUrl: string;
  saturation: LoadResult;
  connections: number;
  seconds: number;
  /** The same requests as the saturation run. */
  load: Omit<LoadOptions, 'name' | 'url' | 'connections' | 'durationSeconds' | 'overallRate'>;
  targets?: { healthz?: number; p99Ms?: number };
}): Promise<LoadResult[]> {
  const healthz = await runLoad({ name: 'BFF GET /healthz (no work)', url: o.bffUrl, connections: o.connections, durationSeconds: o.seconds, request: () => ({ path: '/healthz' }) });
  const bare = await startBareServer();
  const ceiling = await runLoad({ name: 'bare node:http', url: bare.url, connections: o.connections, durationSeconds: o.seconds });
  await bare.close();
  const rate = Math.max(1, Math.floor(o.saturation.rps / 2));
  const fixed = await runLoad({ ...o.load, name: `${o.label} at ${rate}/s (half of saturation)`, url: o.bffUrl, connections: o.connections, durationSeconds: o.seconds, overallRate: rate });
  printResults(`${o.label}: saturation, fixed rate and the ceilings (${o.connections} connections, ${o.seconds} s each)`, [o.saturation, fixed, healthz, ceiling]);
  const [load1] = loadavg();
  console.log(`machine: ${availableParallelism()} cores, load average ${load1.toFixed(1)} over the last minute (other work on the machine shares them)`);
  printRatio(`${o.label}: req/s vs BFF /healthz`, o.saturation.rps, healthz.rps, o.targets?.healthz);
  printRatio(`${o.label}: req/s vs bare node:http`, o.saturation.rps, ceiling.rps);
  printRatio('BFF /healthz vs bare node:http', healthz.rps, ceiling.rps);
  const p99 = o.targets?.p99Ms;
  console.log(`${o.label} at a fixed ${rate}/s: p50 ${fixed.p50} ms, p99 ${fixed.p99} ms${p99 === undefined ? '' : `  (target p99 < ${p99} ms: ${fixed.p99 < p99 ? 'met' : 'NOT met'})`}; at saturation: p50 ${o.saturation.p50} ms, p99 ${o.saturation.p99} ms`);
  return [fixed, healthz, ceiling];
}
