export declare const LOCK_FILE = "platform.lock";
export interface LockHolder {
    pid: number;
    host: string;
    /** The port asked for until the platform listens, then the port it listens on. */
    port?: number;
    startedAt: string;
}
/** A second platform asked for a data directory another one holds. */
export declare class DataDirInUseError extends Error {
    readonly dataDir: string;
    readonly holder: LockHolder | undefined;
    constructor(dataDir: string, holder: LockHolder | undefined);
}
export declare function inUseMessage(dataDir: string, holder: LockHolder | undefined): string;
export interface DataDirLock {
    readonly path: string;
    /** Records the port the platform ended up listening on. */
    setPort(port: number): void;
    /** Removes the lock file (when it is still ours). Idempotent. */
    release(): void;
}
/** Takes the data directory's lock or throws DataDirInUseError naming the holder. The directory must exist. */
export declare function lockDataDir(dataDir: string, opts?: {
    port?: number;
}): DataDirLock;
