/**
 * The engine store's miner side: neuron, network and rewards loaded at connect and kept live, the
 * start/stop flow, the generations library (pagination, search, live insertion), the queue's jobs
 * and model import. Against a fake HostClient, as the engine would answer.
 */
import { describe, expect, it } from 'vitest';
import type { CommandOutput } from '../../src-shared/api/contract.js';
import { HostApiError } from '../../src-shared/api/errors.js';
import { GenerationEventSchema, StoredGenerationSchema } from '../../src-shared/schemas/generation.js';
import { NetworkStatusSchema } from '../../src-shared/schemas/network.js';
import { NeuronStatusSchema, RewardSnapshotSchema } from '../../src-shared/schemas/neuron.js';
import { FakeHostClient, WELCOME, deferred, flush, type Handlers } from '../testing/fake-host-client.js';
import { RUNNING_NEURON, job, networkStatus, neuronStatus, reward, stored } from '../testing/miner-fixtures.js';
import { createEngineStore } from './engine-store.js';
import { LIBRARY_PAGE_SIZE } from './generation-library.js';

const BASE: Handlers = {
  'status.get': () => Promise.reject(new HostApiError('internal', 'not under test')),
  'logs.list': async () => ({ entries: [] }),
  'settings.get': () => Promise.reject(new HostApiError('internal', 'not under test')),
  'neuron.status': async () => neuronStatus(),
  'network.status': async () => networkStatus(),
  'rewards.list': async () => ({ items: [reward(100, 0.1, '1000')] }),
};

function connected(handlers: Handlers = {}): FakeHostClient {
  const client = new FakeHostClient({ ...BASE, ...handlers });
  client.connection = { status: 'connected', welcome: WELCOME };
  return client;
}

/** A history of `count` clips, newest (highest id) first, answering generations.list as the engine would. */
function history(count: number): NonNullable<Handlers['generations.list']> {
  const all = Array.from({ length: count }, (_, i) => stored(count - i));
  return async (input) => {
    const matching = all.filter((item) => input.search === undefined || item.prompt.includes(input.search));
    const offset = input.offset ?? 0;
    return { items: matching.slice(offset, offset + (input.limit ?? 50)), total: matching.length };
  };
}

describe('engine store: the miner', () => {
  it('uses fixtures that the engine could have sent', () => {
    expect(NeuronStatusSchema.parse(RUNNING_NEURON)).toEqual(RUNNING_NEURON);
    expect(NetworkStatusSchema.parse(networkStatus())).toEqual(networkStatus());
    expect(StoredGenerationSchema.parse(stored(1))).toEqual(stored(1));
    expect(GenerationEventSchema.parse(job('a'))).toEqual(job('a'));
    expect(RewardSnapshotSchema.parse(reward(1, 0.5, '10'))).toEqual(reward(1, 0.5, '10'));
  });

  it('loads neuron, network and rewards at connect, each failure kept to its own panel', async () => {
    const client = new FakeHostClient({
      ...BASE,
      'network.status': () => Promise.reject(new HostApiError('unavailable', 'no network yet')),
    });
    const { store } = createEngineStore(client);
    client.setConnection({ status: 'connected', welcome: WELCOME });
    await flush();
    const state = store.getState();
    expect(state.neuron.value?.state).toBe('stopped');
    expect(state.rewards.value?.map((item) => item.block)).toEqual([100]);
    expect(state.network.value).toBeNull();
    expect(state.network.error?.code).toBe('unavailable');
    expect(state.loadErrors.join(' ')).not.toContain('network');
  });

  it('follows neuron, network and reward events, and a late snapshot does not undo them', async () => {
    const neuronAnswer = deferred<CommandOutput<'neuron.status'>>();
    const client = connected({ 'neuron.status': () => neuronAnswer.promise });
    const { store } = createEngineStore(client);
    client.emit({ event: 'neuron', payload: RUNNING_NEURON });
    neuronAnswer.resolve(neuronStatus());
    await flush();
    expect(store.getState().neuron.value?.state).toBe('running');

    client.emit({ event: 'network', payload: networkStatus({ block: 121, blocksUntilEpoch: 29 }) });
    expect(store.getState().network.value?.block).toBe(121);

    client.emit({ event: 'reward', payload: reward(300, 0.3, '3000') });
    client.emit({ event: 'reward', payload: reward(200, 0.2, '2000') });
    client.emit({ event: 'reward', payload: reward(300, 0.35, '3500') });
    expect(store.getState().rewards.value?.map((item) => [item.block, item.incentive])).toEqual([
      [100, 0.1],
      [200, 0.2],
      [300, 0.35],
    ]);
  });

  it('shows a start in progress, then the running neuron', async () => {
    const answer = deferred<CommandOutput<'neuron.start'>>();
    const client = connected({ 'neuron.start': () => answer.promise });
    const { store } = createEngineStore(client);
    await flush();
    const starting = store.getState().startNeuron();
    expect(store.getState().neuron.action).toBe('starting');
    answer.resolve(RUNNING_NEURON);
    await starting;
    expect(store.getState().neuron).toMatchObject({ action: null, actionError: null, value: { state: 'running' } });
  });

  it('keeps a refused start with its message, and clears it when the next start begins', async () => {
    const refusal =
      'Hotkey 5Grw… is not registered on netuid 50. Registering burns 1 TAO: `bittaudio wallet register --netuid 50`';
    let refuse = true;
    const client = connected({
      'neuron.start': async () => {
        if (refuse) throw new HostApiError('unavailable', refusal);
        return RUNNING_NEURON;
      },
      'neuron.stop': async () => neuronStatus({ state: 'stopped' }),
    });
    const { store } = createEngineStore(client);
    await flush();
    await store.getState().startNeuron();
    expect(store.getState().neuron.action).toBeNull();
    expect(store.getState().neuron.actionError?.message).toBe(refusal);

    refuse = false;
    const again = store.getState().startNeuron();
    expect(store.getState().neuron.actionError).toBeNull();
    await again;
    await store.getState().stopNeuron();
    expect(store.getState().neuron.value?.state).toBe('stopped');
    expect(client.inputsOf('neuron.start')).toHaveLength(2);
    expect(client.inputsOf('neuron.stop')).toEqual([{}]);
  });
});

describe('engine store: the generations library', () => {
  it('lists a page, pages on, and a new search starts from its first page', async () => {
    const client = connected({ 'generations.list': history(60) });
    const { store } = createEngineStore(client);
    await store.getState().loadGenerations({});
    let library = store.getState().library;
    expect(library.items?.map((item) => item.id).slice(0, 3)).toEqual([60, 59, 58]);
    expect(library.items).toHaveLength(LIBRARY_PAGE_SIZE);
    expect(library.total).toBe(60);

    await store.getState().loadGenerations({ offset: LIBRARY_PAGE_SIZE });
    expect(store.getState().library.items?.[0]?.id).toBe(35);

    await store.getState().loadGenerations({ search: '  prompt 5 ' });
    library = store.getState().library;
    expect(library.query).toEqual({ search: 'prompt 5', offset: 0 });
    expect(library.items?.map((item) => item.id)).toEqual([59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 5]);
    expect(client.inputsOf('generations.list')).toEqual([
      { limit: LIBRARY_PAGE_SIZE, offset: 0 },
      { limit: LIBRARY_PAGE_SIZE, offset: LIBRARY_PAGE_SIZE },
      { limit: LIBRARY_PAGE_SIZE, offset: 0, search: 'prompt 5' },
    ]);
  });

  it('puts a stored clip on top of the first page, live, and drops the oldest to the next page', async () => {
    const client = connected({ 'generations.list': history(LIBRARY_PAGE_SIZE) });
    const { store } = createEngineStore(client);
    await store.getState().loadGenerations({});
    client.emit({ event: 'generation.stored', payload: stored(26) });
    const library = store.getState().library;
    expect(library.items?.[0]?.id).toBe(26);
    expect(library.items).toHaveLength(LIBRARY_PAGE_SIZE);
    expect(library.items?.at(-1)?.id).toBe(2);
    expect(library.total).toBe(26);
  });

  it('on a later page counts new clips instead of shifting the page; a search skips clips it does not match', async () => {
    const client = connected({ 'generations.list': history(60) });
    const { store } = createEngineStore(client);
    await store.getState().loadGenerations({ offset: LIBRARY_PAGE_SIZE });
    client.emit({ event: 'generation.stored', payload: stored(61) });
    expect(store.getState().library).toMatchObject({ newer: 1, total: 61 });
    expect(store.getState().library.items?.[0]?.id).toBe(35);

    await store.getState().loadGenerations({ search: 'drums' });
    client.emit({ event: 'generation.stored', payload: stored(62, { prompt: 'piano' }) });
    client.emit({ event: 'generation.stored', payload: stored(63, { prompt: 'Drums and bass' }) });
    expect(store.getState().library.items?.map((item) => item.id)).toEqual([63]);
    expect(store.getState().library.newer).toBe(0);
  });

  it('keeps a clip stored while a listing was in flight, and ignores an older listing answered late', async () => {
    const answers: ReturnType<typeof deferred<CommandOutput<'generations.list'>>>[] = [];
    const client = connected({
      'generations.list': () => {
        const answer = deferred<CommandOutput<'generations.list'>>();
        answers.push(answer);
        return answer.promise;
      },
    });
    const { store } = createEngineStore(client);
    const first = store.getState().loadGenerations({});
    const second = store.getState().loadGenerations({ search: 'x' });
    answers[1]?.resolve({ items: [], total: 0 });
    await second;
    answers[0]?.resolve({ items: [stored(1)], total: 1 });
    await first;
    expect(store.getState().library.query.search).toBe('x');
    expect(store.getState().library.items).toEqual([]);

    const third = store.getState().loadGenerations({ search: '' });
    client.emit({ event: 'generation.stored', payload: stored(3) });
    answers[2]?.resolve({ items: [stored(2), stored(1)], total: 2 });
    await third;
    expect(store.getState().library.items?.map((item) => item.id)).toEqual([3, 2, 1]);
    expect(store.getState().library.total).toBe(3);
  });

  it('keeps a failed listing as an error and lists the page again after a reconnect', async () => {
    let fail = true;
    const list = history(3);
    const client = connected({
      'generations.list': (input) => (fail ? Promise.reject(new HostApiError('unavailable', 'no store')) : list(input)),
    });
    const { store } = createEngineStore(client);
    await store.getState().loadGenerations({});
    expect(store.getState().library.error?.message).toBe('no store');
    fail = false;
    await store.getState().loadGenerations({});
    client.setConnection({ status: 'disconnected', reason: 'gone', retryInMs: 100 });
    client.setConnection({ status: 'connected', welcome: WELCOME });
    await flush();
    expect(client.inputsOf('generations.list')).toHaveLength(3);
    expect(store.getState().library.items).toHaveLength(3);
  });

  it('follows the queue: jobs appear, progress, leave when they end, and are forgotten on disconnect', async () => {
    const client = connected();
    const { store } = createEngineStore(client);
    client.emit({ event: 'generation', payload: job('a', { state: 'queued', step: 0 }) });
    client.emit({ event: 'generation', payload: job('b', { state: 'queued', step: 0 }) });
    client.emit({ event: 'generation', payload: job('a', { step: 100 }) });
    expect(store.getState().jobs.map((item) => [item.id, item.step])).toEqual([
      ['a', 100],
      ['b', 0],
    ]);
    client.emit({ event: 'generation', payload: job('a', { state: 'done', step: 253, etaMs: null }) });
    expect(store.getState().jobs.map((item) => item.id)).toEqual(['b']);
    client.setConnection({ status: 'disconnected', reason: 'gone', retryInMs: 100 });
    expect(store.getState().jobs).toEqual([]);
  });
});

describe('engine store: model import', () => {
  it('hands the folder to the engine and follows its progress under the id it answers', async () => {
    const client = connected({
      'models.import': async (input) => ({ id: input.id ?? 'musicgen-medium', dtype: 'fp16', started: true }),
      'models.list': async () => [],
    });
    const { store } = createEngineStore(client);
    await store.getState().importModel('  /data/exports/medium ');
    expect(client.inputsOf('models.import')).toEqual([{ dir: '/data/exports/medium' }]);
    expect(store.getState().models.import.accepted).toEqual({
      id: 'musicgen-medium',
      dtype: 'fp16',
      dir: '/data/exports/medium',
    });
    client.emit({
      event: 'model',
      payload: {
        id: 'musicgen-medium',
        dtype: 'fp16',
        state: 'running',
        file: 'decoder_model_merged.onnx',
        filesDone: 1,
        filesTotal: 4,
        bytes: 10,
        total: 100,
        bytesPerSecond: 5,
        etaSeconds: 18,
      },
    });
    expect(store.getState().models.downloads['musicgen-medium@fp16']?.bytes).toBe(10);
  });

  it('keeps the reason a folder was refused', async () => {
    const client = connected({
      'models.import': () =>
        Promise.reject(new HostApiError('invalid_input', '/tmp/x has no config.json: not a MusicGen export')),
    });
    const { store } = createEngineStore(client);
    const pending = store.getState().importModel('/tmp/x', 'my-model');
    expect(store.getState().models.import.submitting).toBe('/tmp/x');
    await pending;
    expect(client.inputsOf('models.import')).toEqual([{ dir: '/tmp/x', id: 'my-model' }]);
    expect(store.getState().models.import).toMatchObject({ submitting: null, accepted: null });
    expect(store.getState().models.import.error?.message).toContain('not a MusicGen export');
  });
});
