import type { AddressInfo } from 'node:net';
import { loadConfig, ConfigError } from './lib/config';
import { createDeps, closeDeps } from './lib/deps';
import { buildApp } from './app';
import { startJobs } from './jobs';
import { startBackground } from './modules/background';

/** Starts the BFF; on SIGTERM stops accepting, lets in-flight requests finish, closes pools. */
async function main() {
  const config = loadConfig();
  const deps = await createDeps(config);
  const app = buildApp(deps);
  const server = app.listen(config.port, config.host);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const stopJobs = config.jobs.enabled ? startJobs(deps) : async () => {};
  const stopBackground = config.jobs.enabled ? await startBackground(deps) : async () => {};
  const { port } = server.address() as AddressInfo;
  deps.logger.info({ port, env: config.env }, `BFF listening on http://${config.host}:${port}`);
  // How long the start took, in wall time and in CPU time (on a busy machine the two differ widely).
  const cpu = process.cpuUsage();
  if (process.send) process.send({ ready: true, port, startupMs: Math.round(process.uptime() * 1000), startupCpuMs: Math.round((cpu.user + cpu.system) / 1000) });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down');
    const forced = setTimeout(() => process.exit(1), 10_000);
    forced.unref();
    // Stop accepting; in-flight requests finish (their connections then close), idle ones close now.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive connections become idle once their request is answered: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    void closed.then(() => clearInterval(sweep));
    await stopJobs();
    await stopBackground();
    await closed;
    await closeDeps(deps);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
