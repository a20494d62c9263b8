export * from './lax.js';
export * from './terminal-info.js';
export * from './synapse.js';
export * from './music-generation.js';
