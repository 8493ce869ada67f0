import net from 'node:net';

/**
 * A TCP proxy in front of a real server (the machine's MariaDB), which a test can cut and heal:
 * cutting resets every open connection and refuses new ones, as a restarting server does; healing
 * listens again on the same port. It lets one test take "its" MariaDB down without touching the
 * shared one.
 */
export type TcpProxy = { port: number; cut: () => Promise<void>; heal: () => Promise<void>; close: () => Promise<void> };

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const cut = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of open) s.resetAndDestroy();
    await closed;
  };
  return {
    port,
    cut,
    heal: () => listen(port),
    close: async () => {
      if (server.listening) await cut();
    },
  };
}
