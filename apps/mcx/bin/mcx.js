#!/usr/bin/env node
// Launcher: runs the TypeScript sources through tsx with the "@mcx/source" export condition,
// so `mcx` works straight after `npm install` without a build step.
// Signals are forwarded to mcx (which stops once, however many arrive); the IPC channel tells it
// when this launcher is gone without one (SIGKILL), so it never outlives its launcher.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const child = spawn(process.execPath, ['--conditions=@mcx/source', '--import', 'tsx', '--no-warnings=ExperimentalWarning', main, ...process.argv.slice(2)], {
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1)));
