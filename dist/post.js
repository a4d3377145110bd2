// The action's post step (action.yml runs.post): src/github/post.ts. Its code is in entries.js.
// Written by scripts/build.mjs. Source maps first, so that stack traces name the
// files in src/: whoever starts this file (the Actions runner) passes node no flags.
process.setSourceMapsEnabled(true);
const { runPost } = await import('./entries.js');
await runPost();
