/**
 * The engine store's validator side: start / stop from this window, the received answers paged
 * and filtered, relisted when a round ends, and the rounds remembered for the answers' prompts.
 * Against a fake HostClient, as the engine would answer.
 */
import { describe, expect, it } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import { FakeHostClient, WELCOME, deferred, flush, type Handlers } from '../testing/fake-host-client.js';
import { networkStatus, neuronStatus } from '../testing/miner-fixtures.js';
import { RUNNING_VALIDATOR, answer, round, validatorStatus, weights } from '../testing/validator-fixtures.js';
import { createEngineStore } from './engine-store.js';
import { ANSWERS_PAGE_SIZE } from './validator-answers.js';

const BASE: Handlers = {
  'status.get': () => Promise.reject(new HostApiError('internal', 'not under test')),
  'logs.list': async () => ({ entries: [] }),
  'settings.get': () => Promise.reject(new HostApiError('internal', 'not under test')),
  'neuron.status': async () => neuronStatus(),
  'network.status': async () => networkStatus(),
  'rewards.list': async () => ({ items: [] }),
  'validator.status': async () => validatorStatus(),
};

function connected(handlers: Handlers = {}): FakeHostClient {
  const client = new FakeHostClient({ ...BASE, ...handlers });
  client.connection = { status: 'connected', welcome: WELCOME };
  return client;
}

describe('engine store: the validator', () => {
  it('starts the validator and takes the status it answers; a refusal is kept for the panel', async () => {
    const started = deferred<typeof RUNNING_VALIDATOR>();
    const client = connected({ 'validator.start': () => started.promise });
    const { store } = createEngineStore(client);
    await flush();
    const run = store.getState().startValidator();
    expect(store.getState().validatorAction.action).toBe('starting');
    started.resolve(RUNNING_VALIDATOR);
    await run;
    expect(store.getState().validator.value?.state).toBe('running');
    expect(store.getState().validatorAction).toEqual({ action: null, error: null });

    client.handlers['validator.stop'] = () => Promise.reject(new HostApiError('bad_request', 'already stopping'));
    await store.getState().stopValidator();
    expect(store.getState().validatorAction.error?.message).toBe('already stopping');
    // The status shown stays what the engine last said.
    expect(store.getState().validator.value?.state).toBe('running');
  });

  it('lists answers with the filter, and a new filter goes back to the first page', async () => {
    const client = connected({
      'validator.answers': async (input) => ({ items: [answer(1 + (input.offset ?? 0))], total: 60 }),
    });
    const { store } = createEngineStore(client);
    await store.getState().loadValidatorAnswers({});
    await store.getState().loadValidatorAnswers({ offset: ANSWERS_PAGE_SIZE });
    expect(store.getState().validatorAnswers.query.offset).toBe(ANSWERS_PAGE_SIZE);
    await store.getState().loadValidatorAnswers({ uid: 2 });
    await store.getState().loadValidatorAnswers({ roundId: 3 });
    await store.getState().loadValidatorAnswers({ uid: null });
    expect(client.inputsOf('validator.answers')).toEqual([
      { limit: ANSWERS_PAGE_SIZE, offset: 0 },
      { limit: ANSWERS_PAGE_SIZE, offset: ANSWERS_PAGE_SIZE },
      { limit: ANSWERS_PAGE_SIZE, offset: 0, uid: 2 },
      { limit: ANSWERS_PAGE_SIZE, offset: 0, uid: 2, roundId: 3 },
      { limit: ANSWERS_PAGE_SIZE, offset: 0, roundId: 3 },
    ]);
    expect(store.getState().validatorAnswers.items?.map((item) => item.id)).toEqual([1]);
    expect(store.getState().validatorAnswers.total).toBe(60);
  });

  it('keeps only the latest listing when two overlap, and a failure keeps the page shown', async () => {
    const slow = deferred<{ items: ReturnType<typeof answer>[]; total: number }>();
    let calls = 0;
    const client = connected({
      'validator.answers': () => (++calls === 1 ? slow.promise : Promise.resolve({ items: [answer(9)], total: 1 })),
    });
    const { store } = createEngineStore(client);
    const first = store.getState().loadValidatorAnswers({ uid: 1 });
    await store.getState().loadValidatorAnswers({ uid: 2 });
    slow.resolve({ items: [answer(8)], total: 1 });
    await first;
    expect(store.getState().validatorAnswers.items?.map((item) => item.id)).toEqual([9]);

    client.handlers['validator.answers'] = () => Promise.reject(new HostApiError('internal', 'database locked'));
    await store.getState().loadValidatorAnswers({ offset: 0 });
    expect(store.getState().validatorAnswers.error?.message).toBe('database locked');
    expect(store.getState().validatorAnswers.items?.map((item) => item.id)).toEqual([9]);
  });

  it('lists the answers again when a round ends, not while one runs', async () => {
    const client = connected({
      'validator.status': async () => RUNNING_VALIDATOR,
      'validator.answers': async () => ({ items: [], total: 0 }),
    });
    const { store } = createEngineStore(client);
    await flush();
    await store.getState().loadValidatorAnswers({});
    client.emit({ event: 'validator.round', payload: { round: round(5, { state: 'querying' }), scores: [] } });
    await flush();
    expect(client.inputsOf('validator.answers')).toHaveLength(1);
    client.emit({ event: 'validator.round', payload: { round: round(5), scores: [] } });
    await flush();
    expect(client.inputsOf('validator.answers')).toHaveLength(2);
  });

  it('remembers every round the status showed, for the prompts of older answers', async () => {
    const client = connected({ 'validator.status': async () => RUNNING_VALIDATOR });
    const { store } = createEngineStore(client);
    await flush();
    expect([...store.getState().validatorRounds.keys()].sort()).toEqual([3, 4]);
    client.emit({ event: 'validator.round', payload: { round: round(4), scores: [] } });
    client.emit({ event: 'validator.round', payload: { round: round(5, { state: 'querying' }), scores: [] } });
    const rounds = store.getState().validatorRounds;
    expect([...rounds.keys()].sort()).toEqual([3, 4, 5]);
    expect(rounds.get(4)?.state).toBe('done');
  });

  it('reads the history for a range, and again (with the status) when weights go out while it is shown', async () => {
    const history = (range: '24h' | '7d' | '30d' | 'all') => ({
      hotkey: '5V',
      netuid: 50,
      range,
      since: null,
      miners: [{ uid: 1, scores: [{ time: 't', block: 3, value: 0.5 }], weights: [] }],
      dividends: [],
    });
    const client = connected({
      'validator.status': async () => RUNNING_VALIDATOR,
      'validator.history': async (input) => history(input.range ?? 'all'),
    });
    const { store } = createEngineStore(client);
    await flush();
    expect(store.getState().validatorHistory).toMatchObject({ range: '7d', value: null });
    await store.getState().loadValidatorHistory('30d');
    expect(store.getState().validatorHistory).toMatchObject({ range: '30d', loading: false, value: { range: '30d' } });
    const statusCalls = client.inputsOf('validator.status').length;
    client.emit({ event: 'validator.weights', payload: weights({ block: 300 }) });
    await flush();
    expect(client.inputsOf('validator.history')).toEqual([{ range: '30d' }, { range: '30d' }]);
    expect(client.inputsOf('validator.status').length).toBe(statusCalls + 1);

    client.handlers['validator.history'] = () => Promise.reject(new HostApiError('unavailable', 'gone'));
    await store.getState().loadValidatorHistory();
    expect(store.getState().validatorHistory.error?.message).toBe('gone');
    // The series shown stay until a new answer replaces them.
    expect(store.getState().validatorHistory.value?.range).toBe('30d');
  });
});
