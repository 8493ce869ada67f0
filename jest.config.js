// One jest run for every kind of test; `npm test` (scripts/test.ts) builds the clients first.
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022' }, module: { type: 'commonjs' } }];
// ESM-only packages jest needs compiled: kdbush, geokdbush and tinyqueue (the nearby index; Node 20
// requires them natively) and the JSON Schema $ref parser of openapi-backend (the contract test's validator).
const common = {
  transform: { '^.+\\.(t|j)sx?$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(kdbush|geokdbush|tinyqueue|@apidevtools/json-schema-ref-parser)/)'],
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  projects: [
    { ...common, displayName: 'server', testMatch: ['<rootDir>/server/**/*.test.ts', '<rootDir>/prisma/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/generated/'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.test.ts', '<rootDir>/tests/concurrency/**/*.test.ts'] },
    { ...common, displayName: 'client', testMatch: ['<rootDir>/tests/client/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'] },
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/tests/faults/**/*.test.ts'] },
    // Each scenario as an attacker with an ordinary account would run it (npm run test:abuse).
    { ...common, displayName: 'abuse', testMatch: ['<rootDir>/tests/abuse/**/*.test.ts'] },
  ],
  testTimeout: 120000,
};
