export declare const SQLITE_BINDING_ENV: string;
export interface NativeTarget {
  electronVersion: string;
  sqliteVersion: string;
  platform: string;
  arch: string;
}
export interface RebuildOptions {
  buildPath: string;
  electronVersion: string;
  arch: string;
  onlyModules: string[];
  force: boolean;
}
export declare function electronSqliteDir(root: string, target: NativeTarget): string;
export declare function sqliteBinding(dir: string): string;
export declare function installedVersions(root: string): { electronVersion: string; sqliteVersion: string };
export declare function electronRebuild(options: RebuildOptions): Promise<void>;
export declare function ensureElectronSqlite(
  root: string,
  options: Partial<NativeTarget> & {
    electronVersion: string;
    sqliteVersion: string;
    rebuild?: (options: RebuildOptions) => Promise<void>;
  },
): Promise<{ path: string } | { failed: string }>;
