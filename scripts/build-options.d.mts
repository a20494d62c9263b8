import type { BuildOptions } from 'esbuild';

export declare const cliBuild: BuildOptions;
export declare const electronMainBuild: BuildOptions;
export declare const preloadBuild: BuildOptions;
