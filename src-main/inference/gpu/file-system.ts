/** The few read-only file operations the GPU checks need, injectable so tests can fake a machine. */
import { access, readFile, readdir } from 'node:fs/promises';

export interface FileSystemProbe {
  exists(path: string): Promise<boolean>;
  /** The file's text, or null if it cannot be read. */
  readText(path: string): Promise<string | null>;
  /** Entry names of a folder, or an empty list if it cannot be read. */
  list(dir: string): Promise<string[]>;
}

export const nodeFileSystem: FileSystemProbe = {
  async exists(path) {
    try {
      await access(path);
      return true;
    } catch {
      return false;
    }
  },
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return null;
    }
  },
  async list(dir) {
    try {
      return await readdir(dir);
    } catch {
      return [];
    }
  },
};
