/** Doubles for the GPU tests: a machine's files in memory, a command runner that replays captures. */
import { posix } from 'node:path';
import type { CommandResult, CommandRunner, RunOptions } from '../command-runner.js';
import type { FileSystemProbe } from '../file-system.js';

/** A read-only file tree from a list of paths (and the texts of some of them). */
export class FakeFileSystem implements FileSystemProbe {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Map<string, Set<string>>();

  constructor(files: Record<string, string> | string[] = []) {
    const entries = Array.isArray(files) ? files.map((f) => [f, ''] as const) : Object.entries(files);
    for (const [path, text] of entries) this.add(path, text);
  }

  add(path: string, text = ''): this {
    this.files.set(path, text);
    let child = path;
    for (let dir = posix.dirname(path); ; dir = posix.dirname(dir)) {
      const names = this.dirs.get(dir) ?? new Set<string>();
      names.add(posix.basename(child));
      this.dirs.set(dir, names);
      if (dir === '/') break;
      child = dir;
    }
    return this;
  }

  exists(path: string): Promise<boolean> {
    return Promise.resolve(this.files.has(path) || this.dirs.has(path));
  }

  readText(path: string): Promise<string | null> {
    return Promise.resolve(this.files.get(path) ?? null);
  }

  list(dir: string): Promise<string[]> {
    return Promise.resolve([...(this.dirs.get(dir) ?? [])]);
  }
}

export interface RecordedCall {
  file: string;
  args: readonly string[];
  options: RunOptions | undefined;
}

/**
 * Answers each command from a table keyed by the executable's name; a list answers successive
 * calls in turn (the last one repeats). Unknown tools are "not found", as on a bare machine.
 */
export function scriptedRunner(
  answers: Record<string, CommandResult | CommandResult[] | ((args: readonly string[]) => CommandResult)>,
): CommandRunner & { calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const served = new Map<string, number>();
  const runner = (file: string, args: readonly string[], options?: RunOptions): Promise<CommandResult> => {
    calls.push({ file, args, options });
    const answer = answers[file];
    if (answer === undefined) return Promise.resolve({ kind: 'not-found' });
    if (typeof answer === 'function') return Promise.resolve(answer(args));
    if (!Array.isArray(answer)) return Promise.resolve(answer);
    const turn = served.get(file) ?? 0;
    served.set(file, turn + 1);
    const result = answer[Math.min(turn, answer.length - 1)];
    return Promise.resolve(result ?? { kind: 'not-found' });
  };
  return Object.assign(runner, { calls });
}
