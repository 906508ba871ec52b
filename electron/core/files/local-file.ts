import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { inputError } from '../errors.js';

/** Limits for files the user names (body, CA): regular files only, at most this many bytes. */
export const MAX_BODY_FILE_BYTES = 20 * 1024 * 1024;
export const MAX_CA_FILE_BYTES = 1024 * 1024;

/**
 * Reads a local file the user named, bounded: it must be a regular file (a FIFO, device or directory is refused
 * without waiting: it is opened non-blocking and checked on the open handle), and at most `maxBytes` long.
 * Errors are EINPUT naming the field.
 */
export async function readLocalFile(field: string, path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw inputError(field, code === 'ENOENT' ? `file "${path}" does not exist.` : `file "${path}" cannot be read (${code ?? 'error'}).`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw inputError(field, `"${path}" is not a regular file.`);
    if (info.size > maxBytes) throw inputError(field, `file "${path}" is ${info.size} bytes; at most ${maxBytes} are accepted.`);
    // stat can be wrong (/proc files report 0): read at most one byte more than allowed to know.
    const buffer = Buffer.alloc(Math.min(maxBytes + 1, Math.max(info.size + 1, 64 * 1024)));
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > maxBytes) throw inputError(field, `file "${path}" is larger than the ${maxBytes} bytes accepted.`);
        break;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw inputError(field, `file "${path}" is larger than the ${maxBytes} bytes accepted.`);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof Error && error.name === 'HoplightError') throw error;
    throw inputError(field, `file "${path}" cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  } finally {
    await handle.close();
  }
}
