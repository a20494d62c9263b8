/**
 * The GPU page: the engine's GPU report (gpu.report) as it is. Every value that the engine could
 * not read is shown as unknown rather than guessed, and every probe says what it returned, so a
 * person can tell why MusicGen runs where it runs and what to do to get CUDA.
 */
import { useEffect, useId } from 'react';
import type { ReactNode } from 'react';
import type {
  CudaLibrariesReport,
  CudaLibrary,
  CudaLibraryGroup,
  DeviceChoice,
  EnableCudaGuide,
  EnableCudaStep,
  EpProbeOutcome,
  EpProbeResult,
  LibraryLocation,
  NvidiaGpu,
  NvidiaSmiReport,
  NvidiaSmiStatus,
  OnnxruntimeInstall,
} from '../../../src-shared/schemas/gpu.js';
import { Button } from '../../components/Button.js';
import { Command } from '../../components/Command.js';
import { CopyButton, canCopy } from '../../components/CopyButton.js';
import { Meter } from '../../components/Meter.js';
import { Tag, type Tone } from '../../components/Tag.js';
import { formatLocalDateTime, formatMiB, formatMs } from '../../format.js';
import { InlineCode } from '../../components/InlineCode.js';
import { useEngine } from '../../state/engine-context.js';
import type { GpuCheck } from '../../state/engine-store.js';
import type { BenchmarkState, GpuLive } from '../../state/gpu-live.js';
import { BenchmarkSection, EP_LABEL } from './BenchmarkSection.js';
import { LiveSection } from './LiveSection.js';
import './gpu.css';

/** Said when nvidia-smi gave no sentence of its own. */
const NVIDIA_STATUS_TEXT: Record<NvidiaSmiStatus, string> = {
  ok: 'nvidia-smi answered, but no GPU row could be read.',
  'no-devices': 'The NVIDIA driver runs but sees no GPU.',
  'not-installed': 'nvidia-smi is not installed (no NVIDIA driver, or it is not on PATH).',
  'driver-error': 'nvidia-smi cannot talk to the NVIDIA kernel driver.',
  timeout: 'nvidia-smi did not answer in time.',
  failed: 'nvidia-smi failed.',
};

const GROUP_LABEL: Record<CudaLibraryGroup, string> = {
  driver: 'NVIDIA driver',
  'cuda-runtime': 'CUDA 12',
  cudnn: 'cuDNN 9',
};

const LOCATION_TEXT: Record<LibraryLocation, string> = {
  LD_LIBRARY_PATH: 'through LD_LIBRARY_PATH',
  'ld.so.cache': 'in the loader cache',
  system: 'in a system folder',
  'ld.so.conf': 'in a folder of /etc/ld.so.conf',
  elsewhere: 'in a folder the loader does not search',
};

const OUTCOME_TEXT: Record<EpProbeOutcome, string> = {
  ok: 'works',
  error: 'error',
  crashed: 'crashed',
  timeout: 'timed out',
  'bad-output': 'bad output',
  'not-started': 'not started',
  skipped: 'skipped',
  'software-adapter': 'software adapter, refused',
};

export function GpuPage(): ReactNode {
  const gpu = useEngine((state) => state.gpu);
  const connected = useEngine((state) => state.connection.status === 'connected');
  const checkGpu = useEngine((state) => state.checkGpu);
  const live = useEngine((state) => state.gpuLive);
  const watchGpu = useEngine((state) => state.watchGpu);
  const benchmark = useEngine((state) => state.benchmark);
  const runBenchmark = useEngine((state) => state.runBenchmark);

  // Live readings only while the page is open: the returned stop unwatches when it closes.
  useEffect(() => watchGpu(), [watchGpu]);

  useEffect(() => {
    // Asked on every visit and after each reconnect: without refresh the engine answers from its
    // cache, so only the first check of an engine's life is slow.
    if (connected) void checkGpu(false);
  }, [connected, checkGpu]);

  return (
    <GpuView
      gpu={gpu}
      connected={connected}
      onCheckAgain={() => void checkGpu(true)}
      live={live}
      benchmark={benchmark}
      onBenchmark={() => void runBenchmark()}
    />
  );
}

/** The page for a given state, apart from the store so that it can be rendered in tests. */
export function GpuView({
  gpu,
  connected,
  onCheckAgain,
  live,
  benchmark,
  onBenchmark,
}: {
  gpu: GpuCheck;
  connected: boolean;
  onCheckAgain: () => void;
  live: GpuLive;
  benchmark: BenchmarkState;
  onBenchmark: () => void;
}): ReactNode {
  const { report, running, error } = gpu;
  const waiting = report === null && running !== null;
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page__head">
        <h1 id="page-title">GPU</h1>
        <Button disabled={running !== null || !connected} onClick={onCheckAgain} testId="gpu-check-again">
          Check again
        </Button>
      </div>
      {/* One live region for the whole check, present from the start so that changes are heard. */}
      <p className={waiting ? 'panel gpu-waiting' : 'gpu-checked muted'} role="status" data-testid="gpu-check-status">
        {checkStatusText(gpu, connected)}
      </p>
      {error !== null && (
        <div className="alert" role="alert" data-testid="gpu-error">
          <p>
            Could not check the GPUs: {error.message} <span className="muted">({error.code})</span>
          </p>
          {report !== null && <p>The report below is from {formatLocalDateTime(report.generatedAt)}.</p>}
        </div>
      )}
      <LiveSection live={live} connected={connected} />
      {report !== null && (
        <div className="gpu-report" aria-busy={running !== null}>
          <DeviceSection device={report.device} probes={report.probes} />
          <BenchmarkSection benchmark={benchmark} connected={connected} onRun={onBenchmark} />
          <GpusSection nvidia={report.nvidia} />
          <LibrariesSection libraries={report.cudaLibraries} />
          <OnnxruntimeSection onnxruntime={report.onnxruntime} platform={`${report.platform}-${report.arch}`} />
          <EnableCudaSection guide={report.enableCuda} />
        </div>
      )}
    </section>
  );
}

function checkStatusText({ report, running }: GpuCheck, connected: boolean): string {
  if (running !== null) {
    if (report === null) return 'Checking GPUs… (up to a minute the first time)';
    return running.refresh ? 'Checking again… (up to a minute)' : 'Checking…';
  }
  if (report !== null)
    return `Checked ${formatLocalDateTime(report.generatedAt)} on ${report.platform}-${report.arch}.`;
  return connected ? '' : 'The GPU check runs once the engine is connected.';
}

// ---------------------------------------------------------------------------------------------
// Device

function DeviceSection({ device, probes }: { device: DeviceChoice; probes: readonly EpProbeResult[] }): ReactNode {
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Device</h2>
      <p className="gpu-device">
        <span className="gpu-device__label muted">MusicGen runs on</span>{' '}
        <strong className="gpu-device__name" data-testid="gpu-device">
          {EP_LABEL[device.device]}
        </strong>{' '}
        {device.verified ? <Tag tone="ok">verified</Tag> : <Tag tone="warn">not verified</Tag>}
      </p>
      <p className="muted gpu-device__hint">
        {device.verified
          ? 'Its probe created and ran a small session.'
          : 'Its probe failed or did not run; the CPU is the last resort.'}{' '}
        Preference: {device.preference}.
      </p>
      <p className="gpu-summary">
        <InlineCode text={device.summary} />
      </p>
      <h3 className="subhead">Providers considered, in order</h3>
      <ol className="gpu-steps">
        {device.steps.map((step) => (
          <li key={step.ep} className="gpu-step">
            <span className="gpu-step__ep">{EP_LABEL[step.ep]}</span>
            <Tag tone={step.accepted ? 'ok' : 'neutral'}>{step.accepted ? 'accepted' : 'refused'}</Tag>
            <span className="gpu-step__reason">
              <InlineCode text={step.reason} />
            </span>
          </li>
        ))}
      </ol>
      {probes.length > 0 && (
        <details className="disclosure">
          <summary>What each probe returned</summary>
          <ProbeList probes={probes} />
        </details>
      )}
    </section>
  );
}

function ProbeList({ probes }: { probes: readonly EpProbeResult[] }): ReactNode {
  return (
    <ul className="probes">
      {probes.map((probe) => {
        const details = Object.keys(probe.details).length > 0 ? JSON.stringify(probe.details, null, 2) : null;
        const exit = [
          probe.exitCode === null ? null : `exit code ${probe.exitCode}`,
          probe.signal === null ? null : `signal ${probe.signal}`,
        ].filter((part) => part !== null);
        return (
          <li key={probe.ep} className="probe">
            <div className="probe__head">
              <span className="gpu-step__ep">{EP_LABEL[probe.ep]}</span>
              <Tag
                tone={
                  probe.ok
                    ? 'ok'
                    : probe.outcome === 'skipped'
                      ? 'neutral'
                      : probe.outcome === 'software-adapter'
                        ? 'warn'
                        : 'error'
                }
              >
                {OUTCOME_TEXT[probe.outcome]}
              </Tag>
              {probe.outcome !== 'skipped' && <span className="muted">{formatMs(probe.durationMs)}</span>}
              {exit.length > 0 && <span className="muted">{exit.join(', ')}</span>}
            </div>
            <p className="probe__reason">
              <InlineCode text={probe.reason} />
            </p>
            {probe.missingLibrary !== null && (
              <p className="probe__line">
                Could not load <code>{probe.missingLibrary}</code>
              </p>
            )}
            {probe.error !== null && <pre className="code-block">{probe.error}</pre>}
            {details !== null && (
              <>
                <p className="probe__line muted">Details</p>
                <pre className="code-block">{details}</pre>
              </>
            )}
            {probe.stderrTail !== '' && (
              <>
                <p className="probe__line muted">End of its error output</p>
                <pre className="code-block">{probe.stderrTail}</pre>
              </>
            )}
          </li>
        );
      })}
    </ul>
  );
}

// ---------------------------------------------------------------------------------------------
// GPUs

function GpusSection({ nvidia }: { nvidia: NvidiaSmiReport }): ReactNode {
  const headingId = useId();
  const ok = nvidia.status === 'ok' && nvidia.gpus.length > 0;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>GPUs</h2>
      <p className={ok ? 'gpu-nvidia' : 'gpu-nvidia muted'} data-testid="gpu-nvidia-status">
        {nvidiaSummary(nvidia)}
      </p>
      {!nvidia.computeCapQueried && (
        <p className="muted">This driver does not report the compute capability; it is shown as unknown.</p>
      )}
      {nvidia.warnings.length > 0 && (
        <ul className="gpu-warnings">
          {nvidia.warnings.map((warning, index) => (
            <li key={index}>{warning}</li>
          ))}
        </ul>
      )}
      {nvidia.gpus.length > 0 && (
        <ul className="gpu-cards">
          {nvidia.gpus.map((gpu) => (
            <li key={gpu.uuid ?? gpu.index}>
              <GpuCard gpu={gpu} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function nvidiaSummary(nvidia: NvidiaSmiReport): string {
  if (nvidia.status !== 'ok' || nvidia.gpus.length === 0) return nvidia.message ?? NVIDIA_STATUS_TEXT[nvidia.status];
  const count = nvidia.gpus.length === 1 ? '1 NVIDIA GPU' : `${nvidia.gpus.length} NVIDIA GPUs`;
  const driver = nvidia.driverVersion === null ? 'driver of unknown version' : `driver ${nvidia.driverVersion}`;
  const cuda12 =
    nvidia.driverSupportsCuda12 === true
      ? 'supports CUDA 12'
      : nvidia.driverSupportsCuda12 === false
        ? 'too old for CUDA 12'
        : 'CUDA 12 support unknown';
  return `${count} · ${driver} (${cuda12})`;
}

const UNKNOWN = 'unknown';

function GpuCard({ gpu }: { gpu: NvidiaGpu }): ReactNode {
  const nameId = useId();
  const used = gpu.memoryUsedMiB;
  const total = gpu.memoryTotalMiB;
  const vram =
    used !== null && total !== null
      ? `${formatMiB(used)} of ${formatMiB(total)}`
      : total !== null
        ? `? of ${formatMiB(total)}`
        : UNKNOWN;
  const power =
    gpu.powerDrawW === null && gpu.powerLimitW === null
      ? UNKNOWN
      : `${gpu.powerDrawW === null ? '?' : `${Math.round(gpu.powerDrawW)} W`}${
          gpu.powerLimitW === null ? '' : ` of ${Math.round(gpu.powerLimitW)} W`
        }`;
  return (
    <article className="gpu-card" aria-labelledby={nameId}>
      <header className="gpu-card__head">
        <h3 id={nameId} className="gpu-card__name">
          {gpu.name}
        </h3>
        <span className="muted">GPU {gpu.index}</span>
      </header>
      <Meter label="VRAM" value={used} max={total} text={vram} />
      <Meter
        label="Utilisation"
        value={gpu.utilizationPercent}
        max={100}
        text={gpu.utilizationPercent === null ? UNKNOWN : `${Math.round(gpu.utilizationPercent)} %`}
      />
      <dl className="facts facts--compact">
        <dt>Driver</dt>
        <dd>{gpu.driverVersion ?? UNKNOWN}</dd>
        <dt>Temperature</dt>
        <dd>{gpu.temperatureC === null ? UNKNOWN : `${Math.round(gpu.temperatureC)} °C`}</dd>
        <dt>Power</dt>
        <dd>{power}</dd>
        <dt>Compute capability</dt>
        <dd>{gpu.computeCapability ?? UNKNOWN}</dd>
        {gpu.uuid !== null && (
          <>
            <dt>UUID</dt>
            <dd>
              <code>{gpu.uuid}</code>
            </dd>
          </>
        )}
      </dl>
      {gpu.notes.length > 0 && (
        <ul className="gpu-card__notes">
          {gpu.notes.map((note, index) => (
            <li key={index}>{note}</li>
          ))}
        </ul>
      )}
    </article>
  );
}

// ---------------------------------------------------------------------------------------------
// Libraries

function LibrariesSection({ libraries }: { libraries: CudaLibrariesReport }): ReactNode {
  const headingId = useId();
  const groups = (['driver', 'cuda-runtime', 'cudnn'] as const)
    .map((group) => ({ group, members: libraries.libraries.filter((library) => library.group === group) }))
    .filter(({ members }) => members.length > 0);
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>Libraries</h2>
      {libraries.note !== null && (
        <p className="muted">
          <InlineCode text={libraries.note} />
        </p>
      )}
      {groups.length > 0 && (
        <ul className="lib-summary">
          {groups.map(({ group, members }) => {
            const found = members.filter((library) => library.loadable).length;
            const all = found === members.length;
            return (
              <li key={group}>
                <span className="lib-summary__group">{GROUP_LABEL[group]}</span>
                <Tag tone={all ? 'ok' : found === 0 ? 'error' : 'warn'}>
                  {all ? 'found' : found === 0 ? 'missing' : `${members.length - found} of ${members.length} missing`}
                </Tag>
              </li>
            );
          })}
        </ul>
      )}
      {libraries.libraries.length > 0 && (
        <ul className="libs">
          {libraries.libraries.map((library) => (
            <LibraryRow key={library.soname} library={library} />
          ))}
        </ul>
      )}
      {libraries.otherVersions.length > 0 && (
        <div className="lib-other">
          <p className="muted">Other versions seen, which do not count:</p>
          <ul>
            {libraries.otherVersions.map((version) => (
              <li key={version}>
                <code>{version}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {libraries.searched.length > 0 && (
        <details className="disclosure">
          <summary>Where it looked ({libraries.searched.length})</summary>
          <ul className="plain-list">
            {libraries.searched.map((place) => (
              <li key={place}>
                <code>{place}</code>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function LibraryRow({ library }: { library: CudaLibrary }): ReactNode {
  const tone: Tone = library.loadable ? 'ok' : library.path !== null ? 'warn' : 'error';
  const status = library.loadable ? 'found' : library.path !== null ? 'not loadable' : 'missing';
  return (
    <li className="lib">
      <Tag tone={tone}>{status}</Tag>
      <code className="lib__name">{library.soname}</code>
      <span className="muted lib__group">{GROUP_LABEL[library.group]}</span>
      {library.path !== null && (
        <span className="lib__where">
          <code>{library.path}</code>
          {library.location !== null && <span className="muted"> {LOCATION_TEXT[library.location]}</span>}
        </span>
      )}
      {library.hint !== null && (
        <span className="lib__hint muted">
          <InlineCode text={library.hint} />
        </span>
      )}
    </li>
  );
}

// ---------------------------------------------------------------------------------------------
// onnxruntime

function OnnxruntimeSection({
  onnxruntime,
  platform,
}: {
  onnxruntime: OnnxruntimeInstall;
  platform: string;
}): ReactNode {
  const headingId = useId();
  const provider = onnxruntime.cudaProviderInstalled;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>onnxruntime</h2>
      <dl className="facts">
        <dt>onnxruntime-node</dt>
        <dd>
          {onnxruntime.installed ? <Tag tone="ok">installed</Tag> : <Tag tone="error">not installed</Tag>}
          {onnxruntime.dir !== null && (
            <>
              {' '}
              <code>{onnxruntime.dir}</code>
            </>
          )}
        </dd>
        <dt>CUDA provider files</dt>
        <dd>
          {provider === null ? (
            <span className="muted">
              {onnxruntime.installed ? `none exist for ${platform}` : 'not checked without onnxruntime-node'}
            </span>
          ) : provider ? (
            <Tag tone="ok">present</Tag>
          ) : (
            <Tag tone="warn">missing</Tag>
          )}
          {onnxruntime.missingProviderFiles.length > 0 && (
            <ul className="plain-list">
              {onnxruntime.missingProviderFiles.map((file) => (
                <li key={file}>
                  <code>{file}</code>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      {onnxruntime.note !== null && (
        <p className="muted section-note">
          <InlineCode text={onnxruntime.note} />
        </p>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// How to enable CUDA

function EnableCudaSection({ guide }: { guide: EnableCudaGuide }): ReactNode {
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="panel__head">
        <h2 id={headingId}>How to enable CUDA</h2>
        {guide.applicable && canCopy() && <CopyWholeGuide text={guide.text} />}
      </div>
      {guide.applicable ? (
        <ol className="guide">
          {guide.steps.map((step) => (
            <GuideStep key={step.title} step={step} />
          ))}
        </ol>
      ) : (
        <p>
          <InlineCode text={guide.text} />
        </p>
      )}
    </section>
  );
}

function CopyWholeGuide({ text }: { text: string }): ReactNode {
  const labelId = useId();
  return (
    <span className="copy-all">
      <span id={labelId} className="muted">
        The whole guide as text
      </span>
      <CopyButton text={text} describedBy={labelId} />
    </span>
  );
}

function GuideStep({ step }: { step: EnableCudaStep }): ReactNode {
  return (
    <li className="guide__step">
      <div className="guide__title">
        <strong>{step.title}</strong>
        {step.done === true ? (
          <Tag tone="ok">done</Tag>
        ) : step.done === false ? (
          <Tag tone="warn">to do</Tag>
        ) : (
          <Tag tone="neutral">cannot tell</Tag>
        )}
      </div>
      <p className="guide__text">
        <InlineCode text={step.text} />
      </p>
      {step.commands.length > 0 && (
        <div className="commands">
          {step.commands.map((command, index) =>
            // The guide puts a `# …` line before each alternative: a caption, not a command.
            command.startsWith('#') ? (
              <p key={index} className="commands__caption">
                {command.replace(/^#\s*/, '')}
              </p>
            ) : (
              <Command key={index} command={command} />
            ),
          )}
        </div>
      )}
    </li>
  );
}
