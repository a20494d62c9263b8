/**
 * The GPU page's live part: utilisation, VRAM, temperature and power of each GPU from the
 * engine's `gpu.sample` events (about once a second while the page is open), with the last
 * minute of utilisation as a sparkline. Unknown readings say "unknown", never 0.
 */
import type { ReactNode } from 'react';
import type { GpuLoad, NvidiaSmiStatus } from '../../../src-shared/schemas/gpu.js';
import { EmptyState } from '../../components/EmptyState.js';
import { Meter } from '../../components/Meter.js';
import { Panel } from '../../components/Panel.js';
import { formatLocalDateTime, formatMiB } from '../../format.js';
import { GPU_HISTORY, type GpuLive } from '../../state/gpu-live.js';

const UNKNOWN = 'unknown';

/** When a sample has no GPU, and the engine gave no sentence. */
const NO_GPU_TEXT: Record<NvidiaSmiStatus, string> = {
  ok: 'nvidia-smi answered, but no GPU row could be read.',
  'no-devices': 'The NVIDIA driver runs but sees no GPU.',
  'not-installed': 'No NVIDIA GPU to watch: nvidia-smi is not installed.',
  'driver-error': 'nvidia-smi cannot talk to the NVIDIA kernel driver.',
  timeout: 'nvidia-smi did not answer in time.',
  failed: 'nvidia-smi failed.',
};

export function LiveSection({ live, connected }: { live: GpuLive; connected: boolean }): ReactNode {
  const { sample, error } = live;
  return (
    <Panel title="Live" testId="gpu-live">
      {error !== null ? (
        <div className="alert" role="alert" data-testid="gpu-live-error">
          <p>
            The engine does not send live GPU readings: {error.message} <span className="muted">({error.code})</span>
          </p>
        </div>
      ) : sample === null ? (
        <EmptyState testId="gpu-live-status">
          {connected ? 'Waiting for the first reading…' : 'Live readings start once the engine is connected.'}
        </EmptyState>
      ) : sample.gpus.length === 0 ? (
        <EmptyState testId="gpu-live-status">{sample.message ?? NO_GPU_TEXT[sample.status]}</EmptyState>
      ) : (
        <>
          <p className="muted" data-testid="gpu-live-status">
            Read {formatLocalDateTime(sample.at)}, about once a second while this page is open.
          </p>
          <ul className="gpu-cards">
            {sample.gpus.map((gpu) => (
              <li key={gpu.index}>
                <LiveCard gpu={gpu} history={live.history[gpu.index] ?? []} />
              </li>
            ))}
          </ul>
        </>
      )}
    </Panel>
  );
}

function LiveCard({ gpu, history }: { gpu: GpuLoad; history: readonly (number | null)[] }): ReactNode {
  const used = gpu.memoryUsedMiB;
  const total = gpu.memoryTotalMiB;
  const vram =
    used !== null && total !== null
      ? `${formatMiB(used)} of ${formatMiB(total)}`
      : used !== null
        ? formatMiB(used)
        : UNKNOWN;
  const power =
    gpu.powerDrawW === null
      ? UNKNOWN
      : `${Math.round(gpu.powerDrawW)} W${gpu.powerLimitW === null ? '' : ` of ${Math.round(gpu.powerLimitW)} W`}`;
  return (
    <article className="gpu-card" aria-label={`GPU ${gpu.index}: ${gpu.name}`} data-testid={`gpu-live-${gpu.index}`}>
      <header className="gpu-card__head">
        <h3 className="gpu-card__name">{gpu.name}</h3>
        <span className="muted">GPU {gpu.index}</span>
      </header>
      <Meter
        label="Utilisation"
        value={gpu.utilizationPercent}
        max={100}
        text={gpu.utilizationPercent === null ? UNKNOWN : `${Math.round(gpu.utilizationPercent)} %`}
        testId="gpu-live-utilisation"
      />
      <Sparkline values={history} label={`Utilisation of GPU ${gpu.index} over the last minute`} />
      <Meter label="VRAM" value={used} max={total} text={vram} testId="gpu-live-vram" />
      <Meter label="Power" value={gpu.powerDrawW} max={gpu.powerLimitW} text={power} testId="gpu-live-power" />
      <dl className="facts facts--compact">
        <dt>Temperature</dt>
        <dd data-testid="gpu-live-temperature">
          {gpu.temperatureC === null ? UNKNOWN : `${Math.round(gpu.temperatureC)} °C`}
        </dd>
      </dl>
    </article>
  );
}

const SPARK = { width: 240, height: 40 };

/** A line of 0–100 % values over the last GPU_HISTORY readings; gaps where a reading was unknown. */
export function Sparkline({ values, label }: { values: readonly (number | null)[]; label: string }): ReactNode {
  const step = SPARK.width / Math.max(1, GPU_HISTORY - 1);
  const offset = GPU_HISTORY - values.length;
  const segments: string[] = [];
  let current: string[] = [];
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length > 0) segments.push(current.join(' '));
      current = [];
      return;
    }
    const x = (offset + index) * step;
    const y = SPARK.height - (Math.min(100, Math.max(0, value)) / 100) * SPARK.height;
    current.push(`${x.toFixed(1)},${y.toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(' '));
  const known = values.filter((v): v is number => v !== null);
  const summary =
    known.length === 0
      ? `${label}: no readings`
      : `${label}: from ${Math.round(Math.min(...known))} % to ${Math.round(Math.max(...known))} %`;
  return (
    <svg className="sparkline" viewBox={`0 0 ${SPARK.width} ${SPARK.height}`} role="img" aria-label={summary}>
      {segments.map((points, index) => (
        <polyline key={index} className="sparkline__line" points={points} />
      ))}
    </svg>
  );
}
