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

export declare function writeClapModel(dir: string, options?: { seed?: number }): WrittenModel;
export declare function writeAstModel(dir: string, options?: { seed?: number }): WrittenModel;
export declare function writeVggishModel(
  dir: string,
  options?: { seed?: number; names?: { input: string; output: string } },
): WrittenModel;

/** Writes `clap/`, `ast/` and `vggish/` under `root`. */
export declare function writeScoringModels(
  root: string,
  options?: { seed?: number },
): { clap: WrittenModel; ast: WrittenModel; vggish: WrittenModel };
