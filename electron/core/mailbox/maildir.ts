import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HoplightError } from '../errors.js';
import { readFileNoFollow, writeFileAtomicVia } from '../files/atomic-file.js';

/** Temp files older than this were left by a crash between write and rename: they are removed, never read. */
const STALE_TMP_MS = 60_000;

/**
 * One Maildir folder (tmp/, new/, cur/) with a JSON sidecar per message in meta/ (what the message itself does
 * not hold). Messages are written to tmp/, fsynced and renamed into cur/ (Maildir's own atomicity), so a reader
 * sees the old file or the new one, never a torn one; other mail tools read cur/ as any Maildir.
 */
export class MaildirFolder {
  constructor(readonly dir: string) {
    // The folder, the mailbox root above it and each subfolder are real directories: a symbolic link planted in
    // the data folder would send every write somewhere else, so it is refused, never followed.
    for (const path of [dirname(dir), dir]) refuseLink(path);
    for (const sub of ['tmp', 'new', 'cur', 'meta', 'damaged']) {
      refuseLink(join(dir, sub));
      mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    }
  }

  /** Writes (or replaces) a message and its sidecar: sidecar first, then the message, each atomically. */
  write(id: string, message: Buffer, sidecar: unknown): void {
    assertId(id);
    writeFileAtomicVia(join(this.dir, 'tmp'), join(this.dir, 'meta', `${id}.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
    writeFileAtomicVia(join(this.dir, 'tmp'), join(this.dir, 'cur', `${id}.eml`), message);
  }

  /**
   * A message written as it streams (a send's copy, chunk by chunk, never whole in memory): the chunks go to a new
   * file in tmp/; `commit` fsyncs it and moves it into cur/ after its sidecar, `discard` removes it.
   */
  openCopy(id: string): MessageCopy {
    assertId(id);
    const temp = join(this.dir, 'tmp', `.${id}.${process.pid}.${randomBytes(6).toString('hex')}.eml.tmp`);
    const fd = openSync(temp, 'wx', 0o600);
    let bytes = 0;
    let open = true;
    const close = (): void => {
      if (open) closeSync(fd);
      open = false;
    };
    return {
      get bytes() {
        return bytes;
      },
      write: (chunk) => {
        for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
        bytes += chunk.length;
      },
      commit: (sidecar) => {
        fsyncSync(fd);
        close();
        writeFileAtomicVia(join(this.dir, 'tmp'), join(this.dir, 'meta', `${id}.json`), `${JSON.stringify(sidecar, null, 2)}\n`);
        renameSync(temp, join(this.dir, 'cur', `${id}.eml`));
      },
      discard: () => {
        close();
        try {
          unlinkSync(temp);
        } catch {
          // committed or gone already
        }
      },
    };
  }

  /** Every stored sidecar, parsed; an unreadable one is moved aside with its message and reported. */
  readAll<T>(parse: (value: unknown) => T): { items: T[]; problems: { file: string; movedTo: string; reason: string }[] } {
    this.sweepTmp();
    const items: T[] = [];
    const problems: { file: string; movedTo: string; reason: string }[] = [];
    for (const name of readdirSync(join(this.dir, 'meta')).filter((n) => n.endsWith('.json')).sort()) {
      const id = name.slice(0, -'.json'.length);
      const file = join(this.dir, 'meta', name);
      try {
        const raw = readFileNoFollow(file);
        if (!raw) continue;
        items.push(parse(JSON.parse(raw.toString('utf8'))));
      } catch (error) {
        problems.push(this.setAside(id, (error as Error).message));
      }
    }
    return { items, problems };
  }

  /** One sidecar, parsed; undefined when there is none (a damaged one is moved aside and the error thrown). */
  read<T>(id: string, parse: (value: unknown) => T): T | undefined {
    assertId(id);
    const raw = readFileNoFollow(join(this.dir, 'meta', `${id}.json`));
    if (!raw) return undefined;
    try {
      return parse(JSON.parse(raw.toString('utf8')));
    } catch (error) {
      const problem = this.setAside(id, (error as Error).message);
      throw new Error(`${problem.file} could not be read (${problem.reason}); it was moved to ${problem.movedTo}`);
    }
  }

  /** Where a message's RFC 5322 file is. */
  messagePath(id: string): string {
    assertId(id);
    return join(this.dir, 'cur', `${id}.eml`);
  }

  /** Like readAll, but `summarise` decides per id whether to load the sidecar at all (a cache may answer). */
  readSummaries<T>(summarise: (id: string, load: () => unknown) => T): { items: T[]; problems: { file: string; movedTo: string; reason: string }[] } {
    const items: T[] = [];
    const problems: { file: string; movedTo: string; reason: string }[] = [];
    for (const name of readdirSync(join(this.dir, 'meta')).filter((n) => n.endsWith('.json')).sort()) {
      const id = name.slice(0, -'.json'.length);
      try {
        items.push(
          summarise(id, () => {
            const raw = readFileNoFollow(join(this.dir, 'meta', name));
            if (!raw) throw Object.assign(new Error('removed while being read'), { code: 'ENOENT' });
            return JSON.parse(raw.toString('utf8'));
          }),
        );
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
        problems.push(this.setAside(id, (error as Error).message));
      }
    }
    return { items, problems };
  }

  /** Removes a message and its sidecar. */
  remove(id: string): void {
    assertId(id);
    for (const file of [join(this.dir, 'cur', `${id}.eml`), join(this.dir, 'meta', `${id}.json`)]) {
      try {
        unlinkSync(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }

  /** Moves a damaged sidecar and its message into damaged/, keeping both for the user to look at. */
  private setAside(id: string, reason: string): { file: string; movedTo: string; reason: string } {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = join(this.dir, 'meta', `${id}.json`);
    const movedTo = join(this.dir, 'damaged', `${id}.${stamp}.json`);
    renameSync(file, movedTo);
    try {
      renameSync(join(this.dir, 'cur', `${id}.eml`), join(this.dir, 'damaged', `${id}.${stamp}.eml`));
    } catch {
      // no message beside it: the sidecar alone is kept
    }
    return { file, movedTo, reason };
  }

  /** Temp files a crash left between write and rename are never read as messages; old ones are removed. */
  private sweepTmp(): void {
    for (const name of readdirSync(join(this.dir, 'tmp'))) {
      const file = join(this.dir, 'tmp', name);
      try {
        if (Date.now() - statSync(file).mtimeMs > STALE_TMP_MS) unlinkSync(file);
      } catch {
        // gone already
      }
    }
  }
}

/** A message being written as it streams (see MaildirFolder.openCopy). */
export interface MessageCopy {
  readonly bytes: number;
  write(chunk: Buffer): void;
  commit(sidecar: unknown): void;
  discard(): void;
}

function assertId(id: string): void {
  // Ids name files: only what cannot climb out of the folder.
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw new Error(`invalid mailbox id "${id}"`);
}

/** Throws ECONFIG when `path` exists and is a symbolic link (or not a directory). */
function refuseLink(path: string): void {
  let info;
  try {
    info = lstatSync(path);
  } catch {
    return; // not there yet: it is created as a directory
  }
  if (info.isSymbolicLink()) throw new HoplightError('ECONFIG', `${path} is a symbolic link; Hoplight does not follow links in its data folder.`, { hint: 'Replace the link with a folder.' });
  if (!info.isDirectory()) throw new HoplightError('ECONFIG', `${path} is not a folder.`, { hint: 'Move the file away; Hoplight recreates the folder.' });
}
