import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small load balancer in front of several BFF processes, as WeChat Pay would reach them in
 * production: round robin over the targets alive now, the next one when a target refuses the
 * connection. `beforeAnswer` can act between a BFF's answer and its relay (to kill the BFF that
 * just did the work, so the caller never hears of it).
 */
export type Balancer = {
  url: string;
  /** Requests forwarded, per target base URL. */
  forwarded: Map<string, number>;
  close: () => Promise<void>;
};

export async function startBalancer(options: {
  targets: () => string[];
  beforeAnswer?: (target: string, status: number) => Promise<'relay' | 'drop'> | 'relay' | 'drop';
}): Promise<Balancer> {
  const forwarded = new Map<string, number>();
  let next = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const attempt = (tries: number) => {
        const targets = options.targets();
        if (!targets.length || tries >= targets.length) {
          res.writeHead(502);
          res.end();
          return;
        }
        const target = targets[next++ % targets.length];
        const headers = { ...req.headers, host: new URL(target).host, 'content-length': String(body.length) };
        const upstream = http.request(`${target}${req.url ?? '/'}`, { method: req.method, headers }, (up) => {
          const answer: Buffer[] = [];
          up.on('data', (c: Buffer) => answer.push(c));
          up.on('end', () => {
            void Promise.resolve(options.beforeAnswer?.(target, up.statusCode ?? 0) ?? 'relay').then((what) => {
              if (what === 'drop') {
                res.socket?.destroy();
                return;
              }
              res.writeHead(up.statusCode ?? 502, up.headers);
              res.end(Buffer.concat(answer));
            });
          });
          up.on('error', () => res.socket?.destroy());
        });
        upstream.on('error', (err: NodeJS.ErrnoException) => {
          // Refused before anything was sent: another target can take it. Otherwise the caller sees the failure.
          if (err.code === 'ECONNREFUSED') attempt(tries + 1);
          else res.socket?.destroy();
        });
        forwarded.set(target, (forwarded.get(target) ?? 0) + 1);
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
