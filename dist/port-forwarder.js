// The DinD port forwarder's background process, started by main.js and cli.js: src/ports/forwarder-main.ts. Its code is in ports-main.js.
// Written by scripts/build.mjs. Source maps first, so that stack traces name the
// files in src/: whoever starts this file (the Actions runner) passes node no flags.
process.setSourceMapsEnabled(true);
await import('./ports-main.js');
