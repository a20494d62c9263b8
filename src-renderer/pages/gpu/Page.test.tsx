/**
 * The GPU page's markup for the states a person meets: the first check running, a box with CUDA,
 * one without, and a failed check. Rendered to static HTML: no browser needed, and what is
 * asserted is what a screen reader and the e2e test get.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HostApiError } from '../../../src-shared/api/errors.js';
import { GpuReportSchema } from '../../../src-shared/schemas/gpu.js';
import type { GpuBenchmark, GpuSample } from '../../../src-shared/schemas/gpu.js';
import type { GpuCheck } from '../../state/engine-store.js';
import { NO_BENCHMARK, NO_GPU_LIVE, applySample, type BenchmarkState, type GpuLive } from '../../state/gpu-live.js';
import { CPU_REPORT, CUDA_REPORT, SOFTWARE_ADAPTER_REPORT } from '../../testing/gpu-reports.js';
import { GpuView } from './Page.js';

function render(
  gpu: Partial<GpuCheck>,
  connected = true,
  live: GpuLive = NO_GPU_LIVE,
  benchmark: BenchmarkState = NO_BENCHMARK,
): string {
  const state: GpuCheck = { report: null, running: null, error: null, ...gpu };
  return renderToStaticMarkup(
    <GpuView
      gpu={state}
      connected={connected}
      onCheckAgain={() => undefined}
      live={live}
      benchmark={benchmark}
      onBenchmark={() => undefined}
    />,
  );
}

/** The text of the element that carries `data-testid`, tags stripped. */
function textOf(html: string, testId: string): string {
  const match = new RegExp(`<(\\w+)[^>]*data-testid="${testId}"[^>]*>(.*?)</\\1>`, 's').exec(html);
  if (!match?.[2]) throw new Error(`no ${testId} in ${html}`);
  return match[2].replace(/<[^>]+>/g, '');
}

afterEach(() => vi.unstubAllGlobals());

describe('GPU page', () => {
  it('uses fixtures that the engine could have sent', () => {
    expect(GpuReportSchema.parse(CUDA_REPORT)).toEqual(CUDA_REPORT);
    expect(GpuReportSchema.parse(CPU_REPORT)).toEqual(CPU_REPORT);
  });

  it('says that the first check runs and may take a minute, with Check again disabled', () => {
    const html = render({ running: { refresh: false } });
    expect(textOf(html, 'gpu-check-status')).toBe('Checking GPUs… (up to a minute the first time)');
    expect(html).toMatch(/role="status"[^>]*data-testid="gpu-check-status"/);
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="gpu-check-again"/);
    expect(html).not.toContain('gpu-device');
  });

  it('shows a CUDA box: the verified device, the GPU card and what was found', () => {
    const html = render({ report: CUDA_REPORT });
    expect(textOf(html, 'gpu-device')).toBe('CUDA');
    expect(html).toContain('>verified<');
    expect(textOf(html, 'gpu-nvidia-status')).toBe('1 NVIDIA GPU · driver 550.54.15 (supports CUDA 12)');
    expect(html).toContain('NVIDIA H100 80GB HBM3');
    expect(html).toContain('20.0 GiB of 79.6 GiB');
    expect(html).toMatch(/<meter[^>]*min="0" max="81559" value="20480"/);
    expect(html).toContain('41 °C');
    expect(html).toContain('119 W of 700 W');
    expect(html).toContain('37 %');
    expect(html).toMatch(/Compute capability<\/dt><dd>9\.0</);
    expect(html).toContain('/usr/local/cuda-12.8/lib64/libcudart.so.12');
    expect(html).toContain('in the loader cache');
    expect(html).toMatch(/cuDNN 9<\/span><span class="tag tag--ok">found</);
    expect(html).toMatch(/CUDA provider files<\/dt><dd><span class="tag tag--ok">present</);
    expect(textOf(html, 'gpu-check-status')).toMatch(/^Checked \d{4}-\d\d-\d\d \d\d:\d\d:\d\d on linux-x64\.$/);
    expect(html).not.toMatch(/<button[^>]*disabled=""[^>]*data-testid="gpu-check-again"/);
  });

  it('shows a box without GPU: the CPU unverified, the nvidia-smi sentence, what is missing', () => {
    const html = render({ report: CPU_REPORT });
    expect(textOf(html, 'gpu-device')).toBe('CPU');
    expect(html).toContain('>not verified<');
    expect(textOf(html, 'gpu-nvidia-status')).toBe(
      'No NVIDIA driver/tool found: nvidia-smi is not installed or not on PATH.',
    );
    expect(html).not.toContain('gpu-card');
    expect(html).toMatch(
      /<span class="tag tag--neutral">refused<\/span><span class="gpu-step__reason">CUDA was not probed/,
    );
    expect(html).toMatch(/<span class="tag tag--ok">accepted<\/span>/);
    expect(html).toMatch(/<span class="tag tag--error">missing<\/span><code class="lib__name">libcudart\.so\.12</);
    expect(html).toContain('libcudart.so.13 (/usr/local/cuda-13.0/lib/libcudart.so.13)');
    expect(html).toContain('not checked without onnxruntime-node');
  });

  it('shows a software WebGPU adapter as found and refused, with the reason, and the CPU chosen', () => {
    expect(GpuReportSchema.parse(SOFTWARE_ADAPTER_REPORT)).toEqual(SOFTWARE_ADAPTER_REPORT);
    const html = render({ report: SOFTWARE_ADAPTER_REPORT });
    expect(textOf(html, 'gpu-device')).toBe('CPU');
    expect(html).toContain('<span class="tag tag--warn">software adapter, refused</span>');
    expect(html).toMatch(
      /<span class="tag tag--neutral">refused<\/span><span class="gpu-step__reason">WebGPU found only a software adapter/,
    );
    expect(html).toContain('so it is not used');
  });

  it('renders the guide: inline code, captions, and commands in code blocks', () => {
    const html = render({ report: CUDA_REPORT });
    expect(html).toContain('In the BittAudio folder run <code>npm run cuda:install</code>.');
    expect(html).toContain('<p class="commands__caption">once</p>');
    expect(html).toMatch(/<pre class="command__text"><code id="[^"]+">npm run cuda:install<\/code><\/pre>/);
    // Without the Clipboard API (as in Node, or a page not in a secure context) there is no button.
    expect(html).not.toContain('>Copy<');
    expect(html).not.toContain('The whole guide as text');
  });

  it('offers a copy button per command where the Clipboard API exists', () => {
    vi.stubGlobal('navigator', { clipboard: { writeText: () => Promise.resolve() } });
    const html = render({ report: CUDA_REPORT });
    const command = /<code id="([^"]+)">npm run cuda:install<\/code><\/pre><button[^>]*aria-describedby="([^"]+)"/.exec(
      html,
    );
    expect(command?.[1]).toBeDefined();
    expect(command?.[2]).toBe(command?.[1]);
    // One per command, plus one for the whole guide.
    expect(html.match(/>Copy</g)).toHaveLength(2);
  });

  it('shows a failed check clearly and keeps the last report', () => {
    const error = new HostApiError('timeout', 'gpu.report got no reply within 180 s.');
    const html = render({ report: CPU_REPORT, error });
    expect(textOf(html, 'gpu-error')).toContain(
      'Could not check the GPUs: gpu.report got no reply within 180 s. (timeout)',
    );
    expect(html).toMatch(/role="alert"[^>]*data-testid="gpu-error"/);
    expect(html).toContain('The report below is from');
    expect(textOf(html, 'gpu-device')).toBe('CPU');
  });

  it('says when it waits for the engine', () => {
    const html = render({}, false);
    expect(textOf(html, 'gpu-check-status')).toBe('The GPU check runs once the engine is connected.');
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*data-testid="gpu-check-again"/);
  });
});

const H200_SAMPLE: GpuSample = {
  at: '2026-12-03T07:00:00.000Z',
  status: 'ok',
  message: null,
  gpus: [
    {
      index: 0,
      name: 'NVIDIA H200',
      utilizationPercent: 87,
      memoryUsedMiB: 40960,
      memoryTotalMiB: 143771,
      temperatureC: 61.4,
      powerDrawW: 512.3,
      powerLimitW: 700,
    },
    {
      index: 1,
      name: 'NVIDIA H200',
      utilizationPercent: null,
      memoryUsedMiB: null,
      memoryTotalMiB: 143771,
      temperatureC: null,
      powerDrawW: null,
      powerLimitW: null,
    },
  ],
};

describe('GPU page, live readings', () => {
  it('waits for the first reading, or says it starts once connected', () => {
    expect(textOf(render({}), 'gpu-live-status')).toBe('Waiting for the first reading…');
    expect(textOf(render({}, false), 'gpu-live-status')).toBe('Live readings start once the engine is connected.');
  });

  it('shows utilisation, VRAM, power and temperature of each GPU, and unknown for what was not read', () => {
    const live = applySample(applySample({ ...NO_GPU_LIVE, watchers: 1 }, H200_SAMPLE), H200_SAMPLE);
    const html = render({}, true, live);
    const first = /data-testid="gpu-live-0".*?<\/article>/s.exec(html)?.[0] ?? '';
    expect(textOf(first, 'gpu-live-utilisation')).toContain('87 %');
    expect(textOf(first, 'gpu-live-vram')).toContain('40.0 GiB of 140.4 GiB');
    expect(textOf(first, 'gpu-live-power')).toContain('512 W of 700 W');
    expect(textOf(first, 'gpu-live-temperature')).toBe('61 °C');
    expect(first).toMatch(/<meter[^>]*max="100"[^>]*value="87"/);
    expect(first).toMatch(/role="img" aria-label="Utilisation of GPU 0 over the last minute: from 87 % to 87 %"/);
    const second = /data-testid="gpu-live-1".*?<\/article>/s.exec(html)?.[0] ?? '';
    expect(textOf(second, 'gpu-live-utilisation')).toContain('unknown');
    expect(textOf(second, 'gpu-live-temperature')).toBe('unknown');
    // An unknown value draws no bar, which would read as 0.
    expect(second).not.toContain('<meter');
  });

  it('says why there is nothing to watch on a machine without an NVIDIA GPU', () => {
    const none: GpuSample = { at: H200_SAMPLE.at, status: 'not-installed', message: null, gpus: [] };
    const html = render({}, true, applySample({ ...NO_GPU_LIVE, watchers: 1 }, none));
    expect(textOf(html, 'gpu-live-status')).toBe('No NVIDIA GPU to watch: nvidia-smi is not installed.');
  });

  it('shows an engine that refuses to watch as an alert with its code', () => {
    const live: GpuLive = { ...NO_GPU_LIVE, error: new HostApiError('unknown_command', 'gpu.watch') };
    expect(textOf(render({}, true, live), 'gpu-live-error')).toContain('(unknown_command)');
  });
});

describe('GPU page, benchmark', () => {
  const result: GpuBenchmark = {
    finishedAt: '2026-12-03T07:05:00.000Z',
    model: 'musicgen-small@q8',
    chosen: 'cuda',
    runs: [
      {
        provider: 'cuda',
        outcome: 'ok',
        stepsPerSecond: 212.34,
        realTimeFactor: 3.456,
        steps: 150,
        audioSeconds: 3,
        wallMs: 868,
        message: null,
      },
      {
        provider: 'webgpu',
        outcome: 'unavailable',
        stepsPerSecond: null,
        realTimeFactor: null,
        steps: null,
        audioSeconds: null,
        wallMs: null,
        message: 'Not available here: its probe was skipped.',
      },
      {
        provider: 'cpu',
        outcome: 'failed',
        stepsPerSecond: null,
        realTimeFactor: null,
        steps: null,
        audioSeconds: null,
        wallMs: null,
        message: 'out of memory',
      },
    ],
  };

  it('offers the benchmark with the report, disabled while one runs', () => {
    const idle = render({ report: CUDA_REPORT });
    expect(textOf(idle, 'gpu-benchmark-status')).toBe('Not run yet.');
    expect(idle).toMatch(/<button[^>]*data-testid="gpu-benchmark-run"[^>]*>Run benchmark</);
    const running = render({ report: CUDA_REPORT }, true, NO_GPU_LIVE, { ...NO_BENCHMARK, running: true });
    expect(running).toMatch(/<button[^>]*disabled=""[^>]*data-testid="gpu-benchmark-run"[^>]*>Benchmarking…</);
  });

  it('shows steps/s and real-time factor per provider, the chosen one marked, and why others have none', () => {
    const html = render({ report: CUDA_REPORT }, true, NO_GPU_LIVE, { result, running: false, error: null });
    const row = (provider: string) =>
      (new RegExp(`<tr data-testid="gpu-benchmark-${provider}">(.*?)</tr>`, 's').exec(html)?.[1] ?? '').replace(
        /<[^>]+>/g,
        '|',
      );
    expect(row('cuda')).toMatch(/CUDA\|+ \(chosen\).*measured.*212\.3.*3\.46×/);
    expect(row('webgpu')).toMatch(/not available.*its probe was skipped.*—.*—/);
    expect(row('cpu')).toMatch(/failed.*out of memory/);
  });

  it('shows a refused benchmark with the engine’s reason', () => {
    const error = new HostApiError('unavailable', 'No installed model to benchmark');
    const html = render({ report: CUDA_REPORT }, true, NO_GPU_LIVE, { result: null, running: false, error });
    expect(textOf(html, 'gpu-benchmark-error')).toContain('No installed model to benchmark (unavailable)');
  });
});
