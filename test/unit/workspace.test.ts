import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { workspaceDirs, workspaceMounts } from '../../src/modes/dind/workspace.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'setup-dind-workspace-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the job paths shared with the DinD container', () => {
  it('are the workspace and RUNNER_TEMP, the outermost of nested ones, existing directories only', async () => {
    const workspace = join(root, 'work', 'repo');
    const temp = join(root, 'temp');
    await mkdir(workspace, { recursive: true });
    await mkdir(temp);
    expect(workspaceDirs({ GITHUB_WORKSPACE: workspace, RUNNER_TEMP: temp }, '/')).toEqual([workspace, temp]);
    expect(workspaceDirs({ CI_PROJECT_DIR: workspace }, '/elsewhere')).toEqual([workspace]);
    // Outside CI: the working directory.
    expect(workspaceDirs({}, workspace)).toEqual([workspace]);
    // RUNNER_TEMP inside the workspace: the workspace covers it.
    await mkdir(join(workspace, '_temp'));
    expect(workspaceDirs({ GITHUB_WORKSPACE: workspace, RUNNER_TEMP: join(workspace, '_temp') }, '/')).toEqual([workspace]);
    expect(workspaceDirs({ GITHUB_WORKSPACE: join(root, 'missing') }, '/')).toEqual([]);
  });

  it('never cover or replace the DinD container\'s own paths', () => {
    for (const path of ['/', '/var/lib/docker', '/var/lib/docker/volumes', '/etc', '/run', '/usr/local', '/var/lib']) {
      expect(workspaceDirs({ GITHUB_WORKSPACE: path }, '/'), path).toEqual([]);
    }
  });

  it('are mounted read and write at the same path, quoted for --mount', () => {
    expect(workspaceMounts(['/home/runner/work/repo', '/srv/a,b'])).toEqual([
      'type=bind,src=/home/runner/work/repo,dst=/home/runner/work/repo',
      'type=bind,"src=/srv/a,b","dst=/srv/a,b"',
    ]);
  });

  it('under /tmp, on a tmpfs of their own: the image\'s entrypoint would mount one over them', () => {
    expect(workspaceMounts(['/tmp/job/workspace'])).toEqual(['type=tmpfs,dst=/tmp', 'type=bind,src=/tmp/job/workspace,dst=/tmp/job/workspace']);
  });
});
