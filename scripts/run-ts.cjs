#!/usr/bin/env node
// Runs a TypeScript entry point with tsx (esbuild), forwarding signals and the exit code.
const { spawn } = require('node:child_process');
const path = require('node:path');
const [entry, ...args] = process.argv.slice(2);
const tsxCli = require.resolve('tsx/cli');
const child = spawn(process.execPath, [tsxCli, path.resolve(entry), ...args], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
