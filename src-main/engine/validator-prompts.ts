/**
 * The validator's prompt source on a real network (issue #12), from Settings → Validator: the
 * configured source (bundled, hub dataset, local folder, OpenAI-compatible endpoint) built by
 * createPromptSource, behind the bundled set so that a round is never lost for want of a prompt.
 * The local network never comes here: its replaying miner must know the prompts it gets.
 */
import type { PromptSourceConfig } from '../../src-shared/schemas/prompts.js';
import type { Logger } from '../log/logger.js';
import {
  BundledPromptSource,
  createPromptSource,
  PromptSourceWithFallback,
  type PromptSourceDeps,
} from '../neuron/prompts/index.js';
import type { PromptSource } from '../neuron/validator-ports.js';

export interface ValidatorPromptDeps extends Omit<PromptSourceDeps, 'logger'> {
  logger: Logger;
}

export function validatorPromptSource(config: PromptSourceConfig, deps: ValidatorPromptDeps): PromptSource {
  const bundled = new BundledPromptSource(deps.seed);
  // The bundled set needs no fallback of its own.
  if (config.kind === 'bundled') return bundled;
  return new PromptSourceWithFallback(createPromptSource(config, deps), bundled, deps.logger);
}
