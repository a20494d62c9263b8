export type TinyMusicgenSize = 'tiny' | 'small';
export type TinyMusicgenDtype = 'fp32' | 'q8' | 'fp16';

export interface MusicgenShapes {
  decoder: { codebooks: number; vocab: number; width: number; heads: number; ffn: number; layers: number };
  textEncoder: { width: number; heads: number; ffn: number; layers: number };
  encodec: { channels: number; hop: number; samplingRate: number };
  external: boolean;
}

export declare const SIZES: Readonly<Record<TinyMusicgenSize, MusicgenShapes>>;

export interface WriteMusicgenOptions {
  size?: TinyMusicgenSize;
  seed?: number;
  dtypes?: TinyMusicgenDtype[];
  /**
   * The decoder's attention as an exporter writes it: `eager` (q scaled, the committed fixture) or
   * `sdpa` (torch.onnx's scaled_dot_product_attention: q and kᵀ each scaled by the scale's root,
   * computed from q's shape), `sdpa-folded` (the same with a constant factor) or
   * `bmm` (BART-style eager attention: q, k, v reshaped to [B·H, ·, Dh] for 3-D MatMuls).
   */
  attention?: 'eager' | 'sdpa' | 'sdpa-folded' | 'bmm';
}

/** Writes the model folder; returns the files written, relative to `dir`. */
export declare function writeMusicgenModel(
  dir: string,
  options?: WriteMusicgenOptions,
): { dir: string; files: string[] };

/** JSON laid out as the repository's Prettier settings print it. */
export declare function formatJson(value: unknown, indent?: string, prefix?: number): string;
