/** The house rules of ARCHITECTURE.md that a reader cannot be trusted to keep by hand. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? '',
  );
}

function layerOf(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(root, resolve(root, file, '..', specifier)).split(/[\\/]/)[0];
}

describe('architecture', () => {
  it('has the agreed top-level layout', () => {
    for (const entry of [
      'package.json',
      'electron-builder.yml',
      'src-main',
      'src-renderer',
      'src-shared',
      'models',
      'e2e',
      'README.md',
      'LICENSE',
      '.ci/run',
      '.npmrc',
    ]) {
      expect(() => statSync(join(root, entry)), entry).not.toThrow();
    }
  });

  it('src-shared imports nothing from src-main or src-renderer, and no Node modules', () => {
    for (const file of sources('src-shared').filter((f) => !f.endsWith('.test.ts'))) {
      for (const specifier of imports(file)) {
        expect(['src-main', 'src-renderer'], `${file} imports ${specifier}`).not.toContain(layerOf(file, specifier));
        expect(specifier, `${file} imports ${specifier}`).not.toMatch(/^node:/);
      }
    }
  });

  it('src-renderer never imports src-main', () => {
    const files = sources('src-renderer');
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const specifier of imports(file)) {
        expect(layerOf(file, specifier), `${file} imports ${specifier}`).not.toBe('src-main');
      }
    }
  });

  it('pages and stores reach the engine only through the HostClient interface', () => {
    for (const file of sources('src-renderer').filter((f) => /[\\/](pages|state)[\\/]/.test(f))) {
      for (const specifier of imports(file)) {
        expect(specifier, `${file} imports a transport`).not.toMatch(/(websocket|electron)-client/);
      }
    }
  });
});
