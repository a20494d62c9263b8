/**
 * Fixtures that live in `../shared/fixtures/` beside the repository (real runtime metadata and a
 * real chain spec; not committed here). A developer without them gets skipped tests and a note; CI
 * (`CI` set) must have them, so there a missing fixture fails the run instead of hiding tests.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const FINNEY_METADATA = 'finney-metadata-v16-spec393.scale';
export const RAONET_SPEC_218 = 'subtensor-raonet-spec218.json';

export function sharedFixturePath(name: string): string {
  return resolve(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', name);
}

/** The fixture's path, or undefined (with a note) when absent outside CI; throws when absent in CI. */
export function sharedFixture(name: string, purpose: string): string | undefined {
  const path = sharedFixturePath(name);
  if (existsSync(path)) return path;
  if (process.env['CI']) throw new Error(`CI needs ${path} for ${purpose}; put ../shared beside the repository`);
  console.warn(`Skipping ${purpose}: no ${name} at ${path}`);
  return undefined;
}
