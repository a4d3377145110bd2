#!/usr/bin/env node
// The setup-dind command (package.json "bin"): src/cli/main.ts. Its code is in entries.js.
// Written by scripts/build.mjs. Source maps first, so that stack traces name the
// files in src/: whoever starts this file (the Actions runner) passes node no flags.
process.setSourceMapsEnabled(true);
const { runCli } = await import('./entries.js');
await runCli();
