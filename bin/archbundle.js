#!/usr/bin/env node
// In a checkout (src/ present, tsx installed by `npm ci`) the TypeScript sources run through tsx,
// so a fresh clone needs no build step and never runs a stale build. An installed package has
// no src/ and runs the compiled dist/ (made by `npm run build`).
import { existsSync } from 'node:fs';

const source = new URL('../src/node/cli/main.ts', import.meta.url);
let main;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import(source.href));
} else {
  ({ main } = await import(new URL('../dist/src/node/cli/main.js', import.meta.url).href));
}
process.exitCode = await main(process.argv.slice(2));
