#!/usr/bin/env node
// One command, on a clone with Docker installed: start a DinD daemon through
// the bundled action (dist/, as committed), use it, and tear it down.
//   node scripts/quickstart.mjs        (or: npm run quickstart)
import { spawn, spawnSync } from 'node:child_process';
import { ActionsJob } from './actions-runner.mjs';

/** `docker save IMAGE | DOCKER_HOST=... docker load`: no registry needed inside DinD. */
function copyImage(image, toEnv) {
  return new Promise((resolve) => {
    const save = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'ignore'] });
    const load = spawn('docker', ['load', '--quiet'], { env: toEnv, stdio: ['pipe', 'inherit', 'inherit'] });
    save.stdout.pipe(load.stdin);
    load.on('close', (code) => resolve(code === 0));
  });
}

const job = new ActionsJob();
let failed = false;
const step = (title) => console.log(`\n=== ${title}`);
try {
  step('setup-dind main (dist/main.js)');
  const main = await job.main();
  process.stdout.write(main.stdout);
  if (main.code !== 0) {
    failed = true;
  } else {
    const env = job.stepEnv();
    // Offline machines cannot pull inside DinD; bring the host's busybox along if it has one.
    if (spawnSync('docker', ['image', 'inspect', 'busybox'], { stdio: 'ignore' }).status === 0) {
      step('docker save busybox | DOCKER_HOST=... docker load');
      if (!(await copyImage('busybox', env))) failed = true;
    }
    for (const args of [
      ['version'],
      ['run', '--rm', 'busybox', 'echo', 'hello from a container inside DinD'],
    ]) {
      step(`DOCKER_HOST=${env.DOCKER_HOST} docker ${args.join(' ')}`);
      const result = spawnSync('docker', args, { env, stdio: 'inherit' });
      if (result.status !== 0) failed = true;
    }
  }
} finally {
  step('setup-dind post (dist/post.js)');
  const post = await job.post();
  process.stdout.write(post.stdout);
  await job.cleanup();
}
process.exit(failed ? 1 : 0);
