/**
 * The inference worker process's entry (built as dist/main/inference-worker.js): inference's
 * worker runtime with scoring's model tasks (CLAP embeddings, AudioSet probabilities) plugged in.
 */
import { runInferenceWorker } from '../inference/worker/worker-main.js';
import { createModelTaskHandler } from '../scoring/worker-tasks.js';

runInferenceWorker({ handleTask: createModelTaskHandler() });
