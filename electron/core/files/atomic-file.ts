import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HoplightError } from '../errors.js';

/** How long a writer waits for another one, and when a lock left by a crashed process is taken over. */
const LOCK_WAIT_MS = 15_000;
const LOCK_STALE_MS = 30_000;

/**
 * Writes a file in the data folder atomically: a new file beside it (created exclusively, `mode`, default 600),
 * fsync, then rename over the old one. Rename replaces the directory entry, so a symbolic link planted at `path` is
 * replaced, never written through, and the old file's mode can never loosen the new one's.
 */
export function writeFileAtomic(path: string, data: string | Buffer, mode = 0o600): void {
  writeFileAtomicVia(dirname(path), path, data, mode);
}

/** The same, with the temporary file in `tempDir` (same file system): Maildir's tmp/ folder, for one. */
export function writeFileAtomicVia(tempDir: string, path: string, data: string | Buffer, mode = 0o600): void {
  const temp = join(tempDir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temp, path);
  } catch (error) {
    unlinkSync(temp);
    throw error;
  }
  try {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Not every platform can fsync a directory (Windows); the rename itself is still atomic.
  }
}

/** Reads a data-folder file without following a symbolic link; undefined when it does not exist. */
export function readFileNoFollow(path: string): Buffer | undefined {
  let info;
  try {
    info = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (info.isSymbolicLink()) throw new HoplightError('ECONFIG', `${path} is a symbolic link; Hoplight does not follow links in its data folder.`, { hint: 'Replace the link with the file itself.' });
  if (!info.isFile()) throw new HoplightError('ECONFIG', `${path} is not a regular file.`);
  return readFileSync(path);
}

/**
 * Runs `work` holding an exclusive lock on `path` (a `path.lock` directory: mkdir is atomic on every platform),
 * so read-modify-write cycles of several processes never lose an update. A lock older than LOCK_STALE_MS was left
 * by a crashed process and is taken over.
 */
export async function withFileLock<T>(path: string, work: () => Promise<T> | T): Promise<T> {
  const lock = `${path}.lock`;
  const started = Date.now();
  for (let attempt = 0; !tryLock(lock, path, started); attempt++) await new Promise((resolve) => setTimeout(resolve, backoff(attempt)));
  try {
    return await work();
  } finally {
    unlock(lock);
  }
}

/** The same lock, for the few synchronous steps (opening the file, which may migrate and write it). */
export function withFileLockSync<T>(path: string, work: () => T): T {
  const lock = `${path}.lock`;
  const started = Date.now();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; !tryLock(lock, path, started); attempt++) Atomics.wait(pause, 0, 0, backoff(attempt));
  try {
    return work();
  } finally {
    unlock(lock);
  }
}

const backoff = (attempt: number): number => Math.min(200, 5 + attempt * 5) + Math.random() * 10;

function tryLock(lock: string, path: string, started: number): boolean {
  try {
    mkdirSync(lock, { mode: 0o700 });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmdirSync(lock);
    } catch {
      // gone already, or taken over by another process: try again
    }
    if (Date.now() - started > LOCK_WAIT_MS) throw new HoplightError('ECONFIG', `${path} is locked by another Hoplight process (${lock}).`, { hint: 'Wait for it to finish, or remove the lock folder if no Hoplight is running.' });
    return false;
  }
}

function unlock(lock: string): void {
  try {
    rmdirSync(lock);
  } catch {
    // already removed as stale by someone else; nothing to release
  }
}
