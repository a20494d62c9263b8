/** What bench/validator-round.mjs needs: the validator's real scoring parts and a worker to run them in. */
export { forkWorker } from '../src-main/inference/worker/worker-client.js';
export { createValidatorParts, findTinyScoringModels } from '../src-main/neuron/validator-assembly.js';
export { openDatabase } from '../src-main/store/database.js';
export { LogRoot } from '../src-main/log/logger.js';
export { gain, syntheticMusic } from '../src-main/testing/test-signals.js';
