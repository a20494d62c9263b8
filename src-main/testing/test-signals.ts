/**
 * Generated test audio for the scoring tests: tones, chords, noise bursts and synthetic "music"
 * (random note sequences with harmonics, decaying envelopes and noise drums), all from a seeded
 * generator so every run sees the same samples; plus the edits a gaming miner would apply.
 */

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller). */
export function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

export function chord(frequencies: readonly number[], seconds: number, sampleRate: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < out.length; i++) {
    let v = 0;
    for (const f of frequencies) v += Math.sin((2 * Math.PI * f * i) / sampleRate);
    out[i] = (0.8 * v) / frequencies.length;
  }
  return out;
}

export const tone = (frequency: number, seconds: number, sampleRate: number): Float32Array =>
  chord([frequency], seconds, sampleRate);

/** White-noise bursts of 50–400 ms at random times over silence. */
export function noiseBursts(seed: number, seconds: number, sampleRate: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(Math.round(seconds * sampleRate));
  for (let b = 0; b < seconds * 3; b++) {
    const start = Math.floor(random() * out.length);
    const length = Math.floor((0.05 + 0.35 * random()) * sampleRate);
    const level = 0.2 + 0.6 * random();
    for (let i = start; i < Math.min(out.length, start + length); i++) out[i] = level * gaussian(random) * 0.3;
  }
  return out;
}

/** Random notes of a pentatonic-ish scale with harmonics and decay, over noise-burst drums. */
export function syntheticMusic(seed: number, seconds: number, sampleRate: number): Float32Array {
  const random = seededRandom(seed);
  const out = new Float32Array(Math.round(seconds * sampleRate));
  const scale = [0, 2, 4, 7, 9, 12, 14, 16, 19, 21];
  const root = 48 + Math.floor(random() * 12); // MIDI note of the key
  const harmonics = [1, 0.5 + 0.4 * random(), 0.2 + 0.3 * random(), 0.1 * random()];
  for (const voice of [0, 1]) {
    let t = 0;
    while (t < out.length) {
      const length = Math.floor((0.125 + 0.375 * random()) * sampleRate);
      const note = root + 12 * voice + (scale[Math.floor(random() * scale.length)] ?? 0);
      const f = 440 * 2 ** ((note - 69) / 12);
      const amp = (voice === 0 ? 0.3 : 0.2) * (0.6 + 0.4 * random());
      for (let i = 0; i < length && t + i < out.length; i++) {
        const env = Math.exp((-3 * i) / length) * Math.min(1, i / 64);
        let v = 0;
        harmonics.forEach((h, k) => (v += h * Math.sin((2 * Math.PI * f * (k + 1) * i) / sampleRate)));
        out[t + i] = (out[t + i] ?? 0) + amp * env * v;
      }
      t += length;
    }
  }
  const beat = Math.floor((0.3 + 0.3 * random()) * sampleRate);
  for (let t = 0; t < out.length; t += beat) {
    for (let i = 0; i < 0.05 * sampleRate && t + i < out.length; i++) {
      out[t + i] = (out[t + i] ?? 0) + 0.15 * Math.exp((-8 * i) / (0.05 * sampleRate)) * gaussian(random);
    }
  }
  return out;
}

/** Adds ±1 LSB of 16-bit audio (1/32768) at random to every sample. */
export function lsbDither(samples: Float32Array, seed: number): Float32Array {
  const random = seededRandom(seed);
  return samples.map((v) => v + (random() < 0.5 ? -1 : 1) / 32768);
}

/** Delays by `seconds` (silence in front) and keeps the length, or advances when negative. */
export function timeShift(samples: Float32Array, seconds: number, sampleRate: number): Float32Array {
  const shift = Math.round(seconds * sampleRate);
  const out = new Float32Array(samples.length);
  for (let i = 0; i < out.length; i++) out[i] = samples[i - shift] ?? 0;
  return out;
}

export const gain = (samples: Float32Array, factor: number): Float32Array => samples.map((v) => v * factor);

/** Adds white noise `snrDb` below the signal's RMS. */
export function addNoise(samples: Float32Array, snrDb: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  let sq = 0;
  for (const v of samples) sq += v * v;
  const rms = Math.sqrt(sq / samples.length) * 10 ** (-snrDb / 20);
  return samples.map((v) => v + rms * gaussian(random));
}
