/**
 * Bytes that cross between the host and the execution provider per decoder step (issue #14),
 * counted from the tensors themselves rather than estimated: every feed whose data lives in host
 * memory is uploaded by onnxruntime on a GPU provider, and every output returned in host memory
 * was downloaded. Tensors that stay on the device (`location: 'gpu-buffer'`) count nothing.
 *
 * On the CPU provider nothing crosses, but the same counts say what would: they are the figures
 * the host-cache loop would move over PCIe on a GPU.
 */
import type { Tensor as OrtTensor } from 'onnxruntime-node';

export interface TransferSummary {
  /** Decoder steps recorded. */
  steps: number;
  /** Host → device bytes of each step, in order. */
  uploadBytes: number[];
  /** Device → host bytes of each step, in order. */
  downloadBytes: number[];
}

/** Bytes of a tensor's data when it lives in host memory; 0 for one kept on the device. */
export function hostBytes(tensor: Pick<OrtTensor, 'location' | 'data'> | undefined): number {
  if (!tensor || tensor.location !== 'cpu') return 0;
  const data = tensor.data as unknown;
  return ArrayBuffer.isView(data) ? data.byteLength : 0;
}

export class TransferStats {
  private readonly upload: number[] = [];
  private readonly download: number[] = [];

  /** Records one step: what it was fed and what it returned. */
  record(
    feeds: Readonly<Record<string, OrtTensor | undefined>>,
    outputs: Readonly<Record<string, OrtTensor | undefined>>,
  ): void {
    let up = 0;
    for (const tensor of Object.values(feeds)) up += hostBytes(tensor);
    let down = 0;
    for (const tensor of Object.values(outputs)) down += hostBytes(tensor);
    this.upload.push(up);
    this.download.push(down);
  }

  summary(): TransferSummary {
    return { steps: this.upload.length, uploadBytes: [...this.upload], downloadBytes: [...this.download] };
  }
}
