import type { ErrorCode, ErrorData, HintId, SmtpReplyData } from '../../shared/types/errors.js';
import type { TlsFacts } from '../../shared/types/report.js';

/** Options carried by a HoplightError beyond its code and message. */
export interface HoplightErrorOptions {
  readonly field?: string;
  readonly reply?: SmtpReplyData;
  readonly hint?: string;
  readonly hintId?: HintId;
  readonly messageTransmitted?: boolean;
  readonly cause?: unknown;
  /** For ETLS: the TLS session that was refused (certificate presented, and why it was not trusted). */
  readonly refusedTls?: TlsFacts;
}

/** The one error type core throws; `toErrorData` turns it into plain data for IPC, CLI and reports. */
export class HoplightError extends Error {
  readonly code: ErrorCode;
  readonly field?: string;
  readonly reply?: SmtpReplyData;
  readonly hint?: string;
  readonly hintId?: HintId;
  readonly refusedTls?: TlsFacts;
  messageTransmitted: boolean;

  constructor(code: ErrorCode, message: string, options: HoplightErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HoplightError';
    this.code = code;
    this.field = options.field;
    this.reply = options.reply;
    this.hint = options.hint;
    this.hintId = options.hintId;
    this.messageTransmitted = options.messageTransmitted ?? false;
    this.refusedTls = options.refusedTls;
  }
}

/** Rejects bad user input before any connection is made. */
export function inputError(field: string, message: string): HoplightError {
  return new HoplightError('EINPUT', `${field}: ${message}`, { field });
}

/** Plain-data form of any thrown value; unknown exceptions become EINTERNAL (our bug, not the server's). */
export function toErrorData(error: unknown): ErrorData {
  if (error instanceof HoplightError) {
    return {
      code: error.code,
      message: error.message,
      ...(error.field === undefined ? {} : { field: error.field }),
      ...(error.reply === undefined ? {} : { reply: error.reply }),
      ...(error.hint === undefined ? {} : { hint: error.hint }),
      ...(error.hintId === undefined ? {} : { hintId: error.hintId }),
      messageTransmitted: error.messageTransmitted,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'EINTERNAL', message: `Internal error in Hoplight: ${message}`, messageTransmitted: false };
}
