/** The one error type that every audio decoder in this folder throws for bad input. */

/**
 * Why a file could not be decoded; stable strings for logs and the UI.
 * - `empty`: no bytes.
 * - `unknown-format`: not WAV, FLAC or MP3 by its first bytes.
 * - `truncated`: the file ends early, or holds fewer samples than its header declares (the FLAC
 *   decoder skips a frame that fails its CRC, so a damaged FLAC frame shows up this way too).
 * - `corrupt`: a header or frame that cannot be right.
 * - `unsupported`: well formed, but an encoding this reader does not handle (8-bit WAV, ADPCM, …).
 */
export type AudioDecodeFailure = 'empty' | 'unknown-format' | 'truncated' | 'corrupt' | 'unsupported';

/** Which container the bytes were read as, or `unknown` when the format was not recognised. */
export type AudioContainer = 'wav' | 'flac' | 'mp3' | 'unknown';

export class AudioDecodeError extends Error {
  override readonly name: string = 'AudioDecodeError';

  constructor(
    readonly failure: AudioDecodeFailure,
    readonly container: AudioContainer,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
