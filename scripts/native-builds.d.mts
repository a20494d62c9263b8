export declare const NATIVE_BUILDS: string[];
export declare function keepNativeBuilds<T>(root: string, files: readonly string[], work: () => Promise<T>): Promise<T>;
