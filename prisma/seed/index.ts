import cliProgress from 'cli-progress';
import type { SeedContext, SeedStep } from './types';
import { accountsStep } from './accounts';
import { regionsStep } from './regions';
import { storesStep } from './stores';
import { catalogueStep } from './catalogue';
import { campaignsStep } from './campaigns';
import { groupBuysStep } from './group-buys';
import { tradeInStep } from './trade-in';
import { afterSalesStep } from './after-sales';
import { deliveryStep } from './delivery';
import { chainStep } from './chain';

// In order; each step is idempotent (running the seed again changes nothing). Capabilities add theirs.
export const seedSteps: SeedStep[] = [accountsStep, regionsStep, storesStep, catalogueStep, campaignsStep, tradeInStep, groupBuysStep, afterSalesStep, deliveryStep, chainStep];

/** A progress display on a terminal; plain lines elsewhere (CI logs). */
export function terminalProgress(): { progress: SeedContext['progress']; stop: () => void } {
  if (!process.stdout.isTTY) {
    const last = new Map<string, number>();
    return {
      progress: (step, done, total) => {
        const pct = Math.floor((done / Math.max(total, 1)) * 10);
        if (last.get(step) !== pct) {
          last.set(step, pct);
          console.log(`  ${step}: ${done}/${total}`);
        }
      },
      stop: () => {},
    };
  }
  const multi = new cliProgress.MultiBar({ format: '  {step} [{bar}] {percentage}% {value}/{total}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    progress: (step, done, total) => {
      let bar = bars.get(step);
      if (!bar) bars.set(step, (bar = multi.create(total, 0, { step })));
      bar.setTotal(total);
      bar.update(done, { step });
    },
    stop: () => multi.stop(),
  };
}

export async function runSeed(ctx: SeedContext, steps: SeedStep[] = seedSteps): Promise<void> {
  for (const step of steps) await step.run(ctx);
}

/** Whether the database has no demo data yet (npm start seeds only an empty database). */
export async function isEmpty(ctx: Pick<SeedContext, 'db'>): Promise<boolean> {
  const [rows] = await ctx.db.query('SELECT COUNT(*) AS n FROM users');
  return Number((rows as { n: number }[])[0].n) === 0;
}
