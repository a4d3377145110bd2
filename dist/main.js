// The action's main step (action.yml runs.main): src/github/main.ts. Its code is in entries.js.
// Written by scripts/build.mjs. Source maps first, so that stack traces name the
// files in src/: whoever starts this file (the Actions runner) passes node no flags.
process.setSourceMapsEnabled(true);
const { runMain } = await import('./entries.js');
await runMain();
