/**
 * The one-click benchmark: the installed model on each available execution provider, as steps
 * per second of decoding and real-time factor (seconds of audio per second of wall time), beside
 * the provider the engine chose, so a person can see whether the choice is the fast one.
 */
import type { ReactNode } from 'react';
import type { ExecutionProvider, GpuBenchmarkOutcome } from '../../../src-shared/schemas/gpu.js';
import { Button } from '../../components/Button.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Panel } from '../../components/Panel.js';
import { Tag, type Tone } from '../../components/Tag.js';
import { formatLocalDateTime } from '../../format.js';
import type { BenchmarkState } from '../../state/gpu-live.js';

export const EP_LABEL: Record<ExecutionProvider, string> = { cuda: 'CUDA', webgpu: 'WebGPU', cpu: 'CPU' };

const OUTCOME: Record<GpuBenchmarkOutcome, { tone: Tone; text: string }> = {
  ok: { tone: 'ok', text: 'measured' },
  unavailable: { tone: 'neutral', text: 'not available' },
  failed: { tone: 'error', text: 'failed' },
};

export function BenchmarkSection({
  benchmark,
  connected,
  onRun,
}: {
  benchmark: BenchmarkState;
  connected: boolean;
  onRun: () => void;
}): ReactNode {
  const { result, running, error } = benchmark;
  return (
    <Panel
      title="Benchmark"
      testId="gpu-benchmark"
      actions={
        <Button small disabled={running || !connected} onClick={onRun} testId="gpu-benchmark-run">
          {running ? 'Benchmarking…' : 'Run benchmark'}
        </Button>
      }
    >
      <p className="muted">
        Generates a few seconds with the installed model on each available provider, one after another (a minute or more
        on a CPU).
      </p>
      {error !== null && (
        <div className="alert" role="alert" data-testid="gpu-benchmark-error">
          <p>
            The benchmark could not run: {error.message} <span className="muted">({error.code})</span>
          </p>
        </div>
      )}
      {result === null ? (
        <EmptyState testId="gpu-benchmark-status">{running ? 'Benchmarking…' : 'Not run yet.'}</EmptyState>
      ) : (
        <>
          <p className="muted" role="status" data-testid="gpu-benchmark-status">
            {running ? 'Benchmarking again…' : `${result.model}, ${formatLocalDateTime(result.finishedAt)}.`}
          </p>
          <table className="table" data-testid="gpu-benchmark-table">
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Result</th>
                <th scope="col">Steps/s</th>
                <th scope="col">Real-time factor</th>
              </tr>
            </thead>
            <tbody>
              {result.runs.map((run) => (
                <tr key={run.provider} data-testid={`gpu-benchmark-${run.provider}`}>
                  <th scope="row">
                    {EP_LABEL[run.provider]}
                    {run.provider === result.chosen && <span className="muted"> (chosen)</span>}
                  </th>
                  <td>
                    <Tag tone={OUTCOME[run.outcome].tone}>{OUTCOME[run.outcome].text}</Tag>
                    {run.message !== null && <span className="muted"> {run.message}</span>}
                  </td>
                  <td>{run.stepsPerSecond === null ? '—' : run.stepsPerSecond.toFixed(1)}</td>
                  <td>{run.realTimeFactor === null ? '—' : `${run.realTimeFactor.toFixed(2)}×`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}
