#!/usr/bin/env node
// Entry point of the CLI (`npm run shipyard -- …`): runs the TypeScript sources through tsx.
import { enableCompileCache } from 'node:module';
import { register } from 'tsx/esm/api';

// V8's code cache on disk (os.tmpdir()/node-compile-cache): every later start of the CLI
// skips compiling the SDK's modules again, about a sixth of its start-up CPU.
enableCompileCache();
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
