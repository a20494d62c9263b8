/** Reads the levels of what wavesurfer decoded (its AudioBuffer, at its decoding sample rate). */
import { measureLevels, type ClipLevels } from './preview-gain.js';

export function levelsOf(
  buffer: Pick<AudioBuffer, 'numberOfChannels' | 'getChannelData' | 'sampleRate'> | null,
): ClipLevels | null {
  if (buffer === null || buffer.numberOfChannels === 0) return null;
  const channels = Array.from({ length: buffer.numberOfChannels }, (_, index) => buffer.getChannelData(index));
  return measureLevels(channels, buffer.sampleRate);
}
