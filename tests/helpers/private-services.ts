import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import mysql from 'mysql2/promise';
import Redis from 'ioredis';
import { freePort } from '../../scripts/lib/services';

/**
 * MariaDB and Redis servers of a test's own, on spare ports with their own data directories, so
 * that fault tests can kill and restart them without touching the machine's shared services.
 */
async function until(check: () => Promise<boolean>, seconds: number, what: string): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${seconds} s`);
}

async function redisAnswers(port: number): Promise<boolean> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } finally {
    r.disconnect();
  }
}

export type PrivateRedis = { port: number; url: string; kill: () => Promise<void>; start: () => Promise<void>; restart: () => Promise<void>; stop: () => Promise<void> };

export async function startPrivateRedis(extraArgs: string[] = [], fixedPort?: number): Promise<PrivateRedis> {
  const port = fixedPort ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xh-redis-'));
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs], { stdio: 'ignore' });
    await until(() => redisAnswers(port), 20, `redis on ${port}`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    restart: async () => {
      await kill();
      await start();
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A real 3-master Redis Cluster on loopback (no replicas). */
export async function startPrivateRedisCluster(masters = 3): Promise<{ nodes: string[]; stop: () => Promise<void> }> {
  const nodes: PrivateRedis[] = [];
  for (let i = 0; i < masters; i++) {
    // Cluster bus ports are port + 10000: both must be free.
    let port = await freePort();
    while (port > 55000 || !(await portIsFree(port + 10000))) port = await freePort();
    nodes.push(await startPrivateRedis(['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'], port));
  }
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  execFileSync('redis-cli', ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
  // Every node must see the whole cluster: a client's ready check may ask any of them.
  const clusterOk = async (port: number) => {
    const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    try {
      await r.connect();
      return /cluster_state:ok/.test(await r.cluster('INFO'));
    } finally {
      r.disconnect();
    }
  };
  await until(async () => (await Promise.all(nodes.map((n) => clusterOk(n.port)))).every(Boolean), 30, 'redis cluster');
  return { nodes: addrs, stop: async () => void (await Promise.all(nodes.map((n) => n.stop()))) };
}

export type PrivateMariaDB = { port: number; urlBase: string; kill: () => Promise<void>; start: () => Promise<void>; restart: () => Promise<void>; stop: () => Promise<void> };

export async function startPrivateMariaDB(): Promise<PrivateMariaDB> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'xh-mariadb-'));
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { stdio: 'ignore' });
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(
      'mariadbd',
      ['--no-defaults', `--datadir=${dir}/data`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${dir}/sock`, '--user=root', '--skip-log-bin', '--innodb-buffer-pool-size=128M', '--max-connections=500', `--pid-file=${dir}/pid`],
      { stdio: 'ignore' },
    );
    await until(async () => {
      const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 500 });
      await c.end();
      return true;
    }, 30, `mariadb on ${port}`);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  };
  await start();
  return {
    port,
    urlBase: `mysql://root@127.0.0.1:${port}`,
    kill: () => kill(),
    start,
    restart: async () => {
      await kill('SIGTERM');
      await start();
    },
    stop: async () => {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
