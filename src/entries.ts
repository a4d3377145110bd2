/**
 * The one bundle behind dist/main.js, dist/post.js and dist/cli.js
 * (scripts/build.mjs writes those three: each turns source maps on, imports
 * dist/entries.js and calls one of these). One bundle, so the engine and the
 * libraries the entries share are in dist/ once.
 *
 * The CLI is here directly; the action's two steps are loaded on demand
 * (one chunk for both: webpack puts imports with the same webpackChunkName
 * together). They alone use @actions/core, which loads @actions/http-client
 * and undici, a megabyte, when imported: the CLI's common path (`setup-dind
 * up`, `--version`) does without.
 */
export { runCli } from './cli/main.js';

export async function runMain(): Promise<void> {
  await (await import(/* webpackChunkName: "github" */ './github/main.js')).runMain();
}

export async function runPost(): Promise<void> {
  await (await import(/* webpackChunkName: "github" */ './github/post.js')).runPost();
}
