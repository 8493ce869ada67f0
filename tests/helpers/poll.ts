/**
 * Waits for an outcome, not for time: probes until `done` holds, failing with what was last seen
 * when the deadline passes. Deadlines are generous (the machine is shared); a fast system passes
 * at the first probe.
 */
export async function pollUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, options: { seconds?: number; intervalMs?: number } = {}): Promise<T> {
  const until = Date.now() + (options.seconds ?? 30) * 1000;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: not within ${options.seconds ?? 30} s (last seen: ${JSON.stringify(value)?.slice(0, 500)})`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}
