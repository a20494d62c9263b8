export declare function findElectronBinary(): { path: string } | { missing: string };
export declare const ELECTRON_RETRY_HINT: string;
