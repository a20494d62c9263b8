/** TAO and alpha amounts live in src-shared/domain/units.ts; re-exported for chain/'s importers. */
export { formatTao, parseTao, RAO_PER_TAO } from '../../src-shared/domain/units.js';
