// One running platform owns a data directory. Two on the same SQLite file would each recover the
// other's running tester flows as crashed, and race on the outbox; so a platform holds
// DATA/platform.lock (its PID, host, port and start time) from before its first write until close.
// The lock is made with O_EXCL; a lock whose process is gone (kill -9, power loss) is taken over.
import { closeSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export const LOCK_FILE = 'platform.lock';

export interface LockHolder {
  pid: number;
  host: string;
  /** The port asked for until the platform listens, then the port it listens on. */
  port?: number;
  startedAt: string;
}

/** A second platform asked for a data directory another one holds. */
export class DataDirInUseError extends Error {
  constructor(readonly dataDir: string, readonly holder: LockHolder | undefined) {
    super(inUseMessage(dataDir, holder));
    this.name = 'DataDirInUseError';
  }
}

export function inUseMessage(dataDir: string, holder: LockHolder | undefined): string {
  if (!holder) return `data dir ${dataDir} is being taken by another eposgate (${LOCK_FILE} is being written); stop it or use another --data`;
  const port = holder.port !== undefined ? `, port ${holder.port}` : '';
  if (holder.host !== hostname()) {
    // A shared disk, or a container recreated under a new hostname: only a person can tell which.
    return `data dir ${dataDir} is in use by eposgate pid ${holder.pid} on host ${holder.host} (started ${holder.startedAt}${port}); stop it or use another --data (if it no longer runs, delete ${join(dataDir, LOCK_FILE)})`;
  }
  return `data dir ${dataDir} is in use by eposgate pid ${holder.pid} (started ${holder.startedAt}${port}); stop it or use another --data`;
}

/** Locks held by this process, by absolute lock path: a second platform in the same process is refused too. */
const held = new Set<string>();
let exitHookInstalled = false;

export interface DataDirLock {
  readonly path: string;
  /** Records the port the platform ended up listening on. */
  setPort(port: number): void;
  /** Removes the lock file (when it is still ours). Idempotent. */
  release(): void;
}

/** Takes the data directory's lock or throws DataDirInUseError naming the holder. The directory must exist. */
export function lockDataDir(dataDir: string, opts: { port?: number } = {}): DataDirLock {
  const path = resolve(join(dataDir, LOCK_FILE));
  const me: LockHolder = { pid: process.pid, host: hostname(), ...(opts.port !== undefined ? { port: opts.port } : {}), startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    if (create(path, me)) break;
    const found = readHolder(path);
    if (found === 'gone') continue; // released between our open and our read
    if (attempt >= 2 || !isStale(path, found)) throw new DataDirInUseError(dataDir, found ?? undefined);
    takeOver(path, found);
  }
  held.add(path);
  installExitHook();
  let released = false;
  return {
    path,
    setPort(port) {
      if (released) return;
      me.port = port;
      // Written aside and renamed over: a reader never sees a half-written lock.
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(me) + '\n', { mode: 0o600 });
      renameSync(tmp, path);
    },
    release() {
      if (released) return;
      released = true;
      held.delete(path);
      removeIfOurs(path);
    },
  };
}

/** O_EXCL create; false when a lock file is already there. */
function create(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me) + '\n');
  } finally {
    closeSync(fd);
  }
  return true;
}

/** The holder, null when the file cannot be parsed (being written, or damaged), 'gone' when it vanished. */
function readHolder(path: string): LockHolder | null | 'gone' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.startedAt === 'string') return v as LockHolder;
  } catch { /* fall through */ }
  return null;
}

function isStale(path: string, holder: LockHolder | null): boolean {
  if (!holder) {
    // Unparseable: a holder between its create and its write is fresh; an old one was cut short.
    try { return Date.now() - statSync(path).mtimeMs > 5_000; } catch { return false; }
  }
  // Another machine's process cannot be checked from here (a shared disk): never taken over.
  if (holder.host !== hostname()) return false;
  // Our own PID: a lock this process holds is live; one it does not (a container restarted with the same PID) is stale.
  if (holder.pid === process.pid) return !held.has(path);
  return !alive(holder.pid) || !looksLikeNode(holder.pid);
}

/** After a reboot the PID may belong to an unrelated program: where /proc tells, a process that is not node holds no lock. */
function looksLikeNode(pid: number): boolean {
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return true; // no /proc (macOS) or not ours to read: trust the PID
  }
  return /node|eposgate|tsx/i.test(cmdline);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, but someone else's
  }
}

/**
 * Moves the stale lock aside (rename is atomic, so of two platforms taking over only one moves it),
 * then checks that what moved is the stale lock: if another platform took over in between, its fresh
 * lock is put back and we are refused on the next attempt.
 */
function takeOver(path: string, stale: LockHolder | null): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readHolder(aside);
  const same = moved !== 'gone' && JSON.stringify(moved) === JSON.stringify(stale);
  if (!same) {
    try { linkSync(aside, path); } catch { /* a third one holds it now: refused on the next attempt */ }
  }
  try { unlinkSync(aside); } catch { /* already gone */ }
}

function removeIfOurs(path: string): void {
  const h = readHolder(path);
  if (h && h !== 'gone' && h.pid === process.pid && h.host === hostname()) {
    try { unlinkSync(path); } catch { /* already gone */ }
  }
}

/** A process that exits without closing its platform (process.exit, a fatal error) leaves no lock behind. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of held) removeIfOurs(p);
  });
}
