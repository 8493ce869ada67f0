import net from 'node:net';
import mysql from 'mysql2/promise';
import Redis from 'ioredis';
import { parseDatabaseUrl } from '../../server/src/lib/db';

/** Checks that MariaDB and Redis answer; if not, says in one message how to start or install them. */
export async function checkServices(databaseUrl: string, redisUrl: string): Promise<void> {
  const problems: string[] = [];
  const t = parseDatabaseUrl(databaseUrl);
  try {
    const conn = await mysql.createConnection({ host: t.host, port: t.port, user: t.user, password: t.password, connectTimeout: 3000 });
    await conn.query('SELECT 1');
    await conn.end();
  } catch (err) {
    problems.push(`MariaDB at ${t.host}:${t.port} does not answer (${(err as Error).message}).`);
  }
  const r = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await r.connect();
    await r.ping();
  } catch (err) {
    problems.push(`Redis at ${redisUrl} does not answer (${(err as Error).message}).`);
  } finally {
    r.disconnect();
  }
  if (problems.length) {
    throw new Error(
      `${problems.join('\n')}\n\nStart them (Debian, as root):\n` +
        `  apt-get install -y mariadb-server redis-server    # if they are not installed\n` +
        `  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld && start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql\n` +
        `  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\n` +
        `or run bash .ci/install-services, which does all of that. Then run the command again.`,
    );
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
