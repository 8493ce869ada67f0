import { randomBytes } from 'node:crypto';
import type { Db } from '../../server/src/lib/db';
import type { BffProcess } from '../helpers/processes';

/**
 * The operations of the fault suite's mixed load. Each records what the product acknowledged
 * (a 2xx) and afterwards checks, from MySQL, that every acknowledged write is stored and the
 * capability's invariants hold.
 */
export type Outcome = { op: string; status: number; code?: string; acknowledged: string | null; error?: string };

export type Workload = {
  name: string;
  step: (baseUrl: string) => Promise<Outcome>;
  verify: (acknowledged: string[]) => Promise<{ stored: number; lost: number; invariantViolations: string[] }>;
};

export type WorkloadContext = { db: Db; bffs: () => BffProcess[]; emulatorUrl: string };

export type WorkloadFactory = { name: string; setup: (ctx: WorkloadContext) => Promise<Workload> };

export async function call(baseUrl: string, method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown> & { error?: { code: string } };
  return { status: res.status, body: json, code: json.error?.code };
}

export async function loginAt(baseUrl: string, openid: string): Promise<string | null> {
  const r = await call(baseUrl, 'POST', '/api/v1/auth/wechat/login', { code: `test_${openid}.${randomBytes(5).toString('hex')}` });
  return r.status === 200 ? (r.body.token as string) : null;
}

/** First logins: an acknowledged login of a new openid is a user row. */
const firstLogins: WorkloadFactory = {
  name: 'first login',
  async setup({ db }) {
    let n = 0;
    const run = randomBytes(3).toString('hex');
    return {
      name: 'first login',
      async step(baseUrl) {
        const openid = `fault_${run}_${n++}`;
        const r = await call(baseUrl, 'POST', '/api/v1/auth/wechat/login', { code: `test_${openid}.x${n}` });
        return { op: 'first login', status: r.status, code: r.code, acknowledged: r.status === 200 ? openid : null };
      },
      async verify(acks) {
        if (!acks.length) return { stored: 0, lost: 0, invariantViolations: [] };
        const [rows] = await db.query('SELECT openid FROM users WHERE openid IN (?)', [acks]);
        const stored = (rows as unknown[]).length;
        const [dupes] = await db.query('SELECT openid, COUNT(*) n FROM users WHERE openid IS NOT NULL GROUP BY openid HAVING n > 1');
        return { stored, lost: acks.length - stored, invariantViolations: (dupes as unknown[]).length ? ['an openid has two users'] : [] };
      },
    };
  },
};

// One line per capability's workload.
export const workloads: WorkloadFactory[] = [firstLogins];
