import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fork } from 'node:child_process';
import { runLoad, printResults, printRatio } from './lib';
import { startBenchProduct } from './setup';
import { createPrisma } from '../../server/src/lib/db';
import { newId } from '../../server/src/lib/ids';
import { priceTradeIn } from '../../server/src/modules/trade-in/pricing';
import { TradeInRules } from '../../server/src/modules/trade-in/rules';
import { QuoteBody } from '../../server/src/modules/trade-in/schemas';

/**
 * npm run bench -- trade-in: quotes through the BFF (latest version read with mysql2, parsed rules
 * kept per immutable version, one INSERT) against, in the same run and under the same load, the
 * naive way in a process of its own: Prisma reads the latest version, validates the whole rules
 * document on every quote, and creates the quote (no authentication at all, to its advantage).
 * Afterwards every stored quote of the run is checked to equal a fresh pricing of its answers.
 */
const ANSWERS = [
  { category: 'air_conditioner', brand: '格力', ageYears: 8, condition: 'good', working: true, horsepower: 1.5 },
  { category: 'refrigerator', brand: '海尔', ageYears: 5, condition: 'fair', working: true, litres: 300 },
  { category: 'water_heater', brand: '能率', ageYears: 3, condition: 'excellent', working: false, litres: 16, heaterType: 'gas' },
  { category: 'tv', brand: '杂牌', ageYears: 12, condition: 'poor', working: true, inches: 43 },
];

function naiveServer(): void {
  const prisma = createPrisma(process.env.DATABASE_URL!, 15);
  const quote = async (raw: string, res: http.ServerResponse) => {
    try {
      const answers = QuoteBody.parse(JSON.parse(raw));
      const latest = await prisma.tradeInRuleVersion.findFirst({ orderBy: { version: 'desc' } });
      const rules = TradeInRules.parse(typeof latest!.rules === 'string' ? JSON.parse(latest!.rules) : latest!.rules);
      const p = priceTradeIn(rules, answers);
      const now = new Date();
      const q = await prisma.tradeInQuote.create({
        data: { id: newId(), userId: 'NAIVE', category: answers.category, ruleVersion: latest!.version, answers, amountFen: p.amountFen, subsidyFen: p.subsidyFen, totalFen: p.totalFen, breakdown: p.breakdown, createdAt: now, expiresAt: new Date(now.getTime() + 7 * 86_400_000) },
      });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: q.id, ...p }));
    } catch {
      res.writeHead(500).end();
    }
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => void quote(raw, res));
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
  process.on('SIGTERM', () => process.exit(0));
}

if (process.env.TRADE_IN_NAIVE_CHILD) naiveServer();

async function startNaive(databaseUrl: string): Promise<{ url: string; close: () => Promise<void> }> {
  const child = fork(__filename, [], { execArgv: ['--require', 'tsx/cjs'], env: { ...process.env, TRADE_IN_NAIVE_CHILD: '1', DATABASE_URL: databaseUrl }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { port?: number }) => m.port && resolve(m.port));
    child.once('exit', (code) => reject(new Error(`naive server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
}

export default async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  const connections = Number(args[1] ?? 32);
  const p = await startBenchProduct();
  const { t } = p;
  try {
    const tokens = await p.tokens(100, 'bench_trade_in');
    let i = 0;
    const ours = await runLoad({
      name: 'BFF POST /trade-in/quotes', url: p.bff.baseUrl, connections, durationSeconds: seconds, method: 'POST',
      request: () => ({ path: '/api/v1/trade-in/quotes', method: 'POST', headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` }, body: JSON.stringify(ANSWERS[i % ANSWERS.length]) }),
    });
    const naive = await startNaive(t.config.databaseUrl);
    const theirs = await runLoad({
      name: 'naive (Prisma, rules validated per quote, no auth)', url: naive.url, connections, durationSeconds: seconds, method: 'POST',
      request: () => ({ path: '/', method: 'POST', body: JSON.stringify(ANSWERS[i++ % ANSWERS.length]) }),
    });
    await naive.close();
    printResults(`trade-in quotes, ${connections} connections, ${seconds} s each`, [ours, theirs]);
    printRatio('throughput BFF / naive', ours.rps, theirs.rps);

    // Determinism under load: every stored quote equals a fresh pricing of its answers under its version.
    const [versions] = await t.deps.db.query('SELECT version, rules FROM trade_in_rule_versions');
    const rules = new Map((versions as { version: number; rules: unknown }[]).map((v) => [v.version, TradeInRules.parse(typeof v.rules === 'string' ? JSON.parse(v.rules) : v.rules)]));
    const [rows] = await t.deps.db.query('SELECT rule_version AS v, answers, total_fen AS total FROM trade_in_quotes');
    let mismatched = 0;
    for (const r of rows as { v: number; answers: unknown; total: number }[]) {
      const a = typeof r.answers === 'string' ? JSON.parse(r.answers) : r.answers;
      if (priceTradeIn(rules.get(r.v)!, a).totalFen !== r.total) mismatched++;
    }
    console.log(`stored quotes checked: ${(rows as unknown[]).length}, not equal to a fresh pricing: ${mismatched}`);
  } finally {
    await p.stop();
  }
}
