import { describe, expect, it } from 'vitest';
import { execFileRunner } from './command-runner.js';

const node = process.execPath;

describe('execFileRunner (real processes)', () => {
  it('returns the output and exit code of a tool that fails', async () => {
    const result = await execFileRunner(node, [
      '-e',
      'console.log("partial"); console.error("it broke"); process.exit(9)',
    ]);
    expect(result).toEqual({ kind: 'exited', code: 9, stdout: 'partial\n', stderr: 'it broke\n' });
  });

  it('passes extra environment variables', async () => {
    const result = await execFileRunner(node, ['-e', 'process.stdout.write(process.env.LC_ALL ?? "unset")'], {
      env: { LC_ALL: 'C' },
    });
    expect(result).toEqual({ kind: 'exited', code: 0, stdout: 'C', stderr: '' });
  });

  it('reports a missing executable as not-found', async () => {
    expect(await execFileRunner('/nonexistent/bin/nvidia-smi', ['-L'])).toEqual({ kind: 'not-found' });
  });

  it('kills a tool that outlives its time limit and says so', async () => {
    // The tool never ends by itself, so only the kill at the limit lets this test finish.
    const result = await execFileRunner(node, ['-e', 'console.log("started"); setInterval(() => {}, 1000)'], {
      timeoutMs: 300,
    });
    expect(result.kind).toBe('timeout');
  });

  it.skipIf(process.platform === 'win32')('reports a tool killed by a signal', async () => {
    const result = await execFileRunner(node, ['-e', 'process.kill(process.pid, "SIGKILL")']);
    expect(result).toMatchObject({ kind: 'signal', signal: 'SIGKILL' });
  });
});
