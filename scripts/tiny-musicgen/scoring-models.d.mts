export interface ScoringShapes {
  clap: { melBins: number; hidden: number; projection: number };
  ast: { frames: number; melBins: number; hidden: number; labels: number };
  vggish: { frames: number; melBins: number; hidden: number; embedding: number };
}

export declare const SCORING_SHAPES: Readonly<ScoringShapes>;

export interface WrittenModel {
  dir: string;
  files: string[];
}

/** `agreement`: length of the direction both towers share (default CLAP_AGREEMENT_LENGTH, 2; 0: none). */
export declare function writeClapModel(
  dir: string,
  options?: { seed?: number; realDims?: boolean; agreement?: number },
): WrittenModel;
export declare function writeAstModel(dir: string, options?: { seed?: number; realDims?: boolean }): WrittenModel;
export declare function writeVggishModel(
  dir: string,
  options?: { seed?: number; names?: { input: string; output: string } },
): WrittenModel;

/** Writes `clap/`, `ast/` and `vggish/` under `root` (with `realDims`: `clap/` and `ast/` only, at real sizes). */
export declare function writeScoringModels(
  root: string,
  options?: { seed?: number; realDims?: false },
): { clap: WrittenModel; ast: WrittenModel; vggish: WrittenModel };
export declare function writeScoringModels(
  root: string,
  options: { seed?: number; realDims: true },
): { clap: WrittenModel; ast: WrittenModel };
