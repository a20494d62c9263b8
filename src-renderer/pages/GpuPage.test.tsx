/**
 * The GPU page's markup for the states a person meets: the first check running, a box with CUDA,
 * one without, and a failed check. Rendered to static HTML: no browser needed, and what is
 * asserted is what a screen reader and the e2e test get.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HostApiError } from '../../src-shared/api/errors.js';
import { GpuReportSchema } from '../../src-shared/schemas/gpu.js';
import type { GpuCheck } from '../state/engine-store.js';
import { CPU_REPORT, CUDA_REPORT, SOFTWARE_ADAPTER_REPORT } from '../testing/gpu-reports.js';
import { GpuView } from './GpuPage.js';

function render(gpu: Partial<GpuCheck>, connected = true): string {
  const state: GpuCheck = { report: null, running: null, error: null, ...gpu };
  return renderToStaticMarkup(<GpuView gpu={state} connected={connected} onCheckAgain={() => undefined} />);
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
