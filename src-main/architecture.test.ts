/** The house rules of ARCHITECTURE.md that a reader cannot be trusted to keep by hand. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYERS, type Layer } from './layers.js';

const root = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** Every module a file imports: static, re-exports, dynamic `import()` and side-effect `import 'x'`. */
export function importSpecifiers(text: string): string[] {
  const pattern =
    /(?:^|[^\w.])(?:import|export)[^'"();]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  return [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

function imports(file: string): string[] {
  return importSpecifiers(readFileSync(join(root, file), 'utf8'));
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

  it('the layer table is acyclic and names only folders that exist or are planned', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (layer: Layer, path: string[]): void => {
      expect(visiting.has(layer), `cycle: ${[...path, layer].join(' -> ')}`).toBe(false);
      if (done.has(layer)) return;
      visiting.add(layer);
      for (const below of LAYERS[layer]) {
        expect(below in LAYERS, `${layer} allows unknown ${below}`).toBe(true);
        visit(below as Layer, [...path, layer]);
      }
      visiting.delete(layer);
      done.add(layer);
    };
    for (const layer of Object.keys(LAYERS) as Layer[]) visit(layer, []);
    const folders = readdirSync(join(root, 'src-main')).filter((name) =>
      statSync(join(root, 'src-main', name)).isDirectory(),
    );
    for (const folder of folders)
      expect(Object.keys(LAYERS), `src-main/${folder} is not in layers.ts`).toContain(folder);
  });

  it('src-main folders import only what layers.ts allows (side-effect and dynamic imports counted)', () => {
    const violations: string[] = [];
    let counted = 0;
    for (const file of sources('src-main')) {
      const parts = relative('src-main', file).split(/[\\/]/);
      if (parts.length < 2) continue; // the leaf files at the top
      const from = parts[0] as Layer;
      const isTest = /\.test\.tsx?$/.test(file) || parts.includes('testing');
      for (const specifier of imports(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = relative(root, resolve(root, file, '..', specifier)).split(/[\\/]/);
        if (target[0] !== 'src-main' || target.length < 3) continue; // outside src-main, or a top leaf
        counted++;
        const to = target[1] as string;
        if (to === from || (to === 'testing' && isTest)) continue;
        const allowed: readonly string[] = LAYERS[from] ?? [];
        if (!allowed.includes(to)) violations.push(`${file} imports ${specifier} (${from} -> ${to})`);
      }
    }
    expect(counted).toBeGreaterThan(100);
    expect(violations).toEqual([]);
  });

  it("imports 'electron' only in the Electron host files (the daemon and the worker run without it)", () => {
    // The shell's modules live in host/electron/; only their types come from 'electron' outside main.ts.
    const allowed = /^src-main[\\/]host[\\/](electron[\\/][^\\/]+|electron[^\\/]*|preload)\.ts$/;
    const offenders = sources('src-main').filter(
      (file) =>
        !allowed.test(file) &&
        imports(file).some((specifier) => specifier === 'electron' || specifier.startsWith('electron/')),
    );
    expect(offenders).toEqual([]);
    expect(imports('src-main/host/electron/main.ts')).toContain('electron');
    expect(imports('src-main/host/electron-worker.ts')).not.toContain('electron');
    // Type-only imports vanish from the build, so the shell's decisions test without a binary.
    for (const file of sources('src-main/host/electron').filter((f) => !/main\.(test\.)?ts$/.test(f))) {
      expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/^import (?!type )[^;]*from 'electron';/m);
    }
  });

  it('sees every kind of import', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { b } from '../b.js';",
      "export { c } from './c.js';",
      "import './side-effect.css';",
      "const d = await import('./d.js');",
      "const e = 'import from \\'./not-an-import.js\\'';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['./a.js', '../b.js', './c.js', './side-effect.css', './d.js']);
  });

  it('pages and stores reach the engine only through the HostClient interface', () => {
    for (const file of sources('src-renderer').filter((f) => /[\\/](pages|state)[\\/]/.test(f))) {
      for (const specifier of imports(file)) {
        expect(specifier, `${file} imports a transport`).not.toMatch(/(websocket|electron)-client/);
      }
    }
  });
});
