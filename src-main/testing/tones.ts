/** Analytic test signals and a least-squares tone fit, for tests of the audio layer. */

/** amplitude · sin(2π·hz·n/rate + phase), n = 0 … frames−1. */
export function sine(rate: number, hz: number, amplitude: number, frames: number, phase = 0): Float32Array {
  return Float32Array.from({ length: frames }, (_, n) => amplitude * Math.sin((2 * Math.PI * hz * n) / rate + phase));
}

export interface ToneFit {
  amplitude: number;
  /** RMS of what the fitted sinusoid leaves unexplained, over the fitted span. */
  residualRms: number;
}

/**
 * Fits a·sin(ωn) + b·cos(ωn) at the given frequency to samples[from, to) by least squares (the
 * 2×2 normal equations, exact for any span). A tone at another frequency leaves a large residual.
 */
export function fitTone(samples: Float32Array, rate: number, hz: number, from = 0, to = samples.length): ToneFit {
  const w = (2 * Math.PI * hz) / rate;
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let xs = 0;
  let xc = 0;
  for (let n = from; n < to; n++) {
    const s = Math.sin(w * n);
    const c = Math.cos(w * n);
    const x = samples[n] ?? 0;
    ss += s * s;
    sc += s * c;
    cc += c * c;
    xs += x * s;
    xc += x * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let residual = 0;
  for (let n = from; n < to; n++) {
    const e = (samples[n] ?? 0) - a * Math.sin(w * n) - b * Math.cos(w * n);
    residual += e * e;
  }
  return { amplitude: Math.hypot(a, b), residualRms: Math.sqrt(residual / (to - from)) };
}

/** Root mean square of samples[from, to). */
export function rms(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let n = from; n < to; n++) sum += (samples[n] ?? 0) ** 2;
  return Math.sqrt(sum / (to - from));
}
