import type { SubmissionOutcome } from './report.js';

/**
 * How much a hop's description can be trusted: `verified` was observed on the wire (or validated: DNSSEC, a
 * certificate); `promised` is what the protocol asks of relays, never checked; `forecast` is what the recipient's
 * servers publish and showed a check from here; `unknown` could not be checked; `failed` did not hold.
 */
export type HopState = 'verified' | 'promised' | 'forecast' | 'unknown' | 'failed';

/** Whether a hop's facts protect the message (good), expose it or stop it (bad), or neither. */
export type HopTone = 'good' | 'bad' | 'neutral';

/** One labelled fact of a hop, worded for people. */
export interface HopFact {
  readonly label: string;
  readonly value: string;
  readonly tone?: HopTone;
}

/** One hop of the message's path, as the per-hop view and the CLI show it. */
export interface HopView {
  readonly hop: 'submission' | 'relays' | 'recipient';
  /** "You → smtp.example.org", "Relays", "example.org's mail servers". */
  readonly title: string;
  readonly state: HopState;
  readonly tone: HopTone;
  /** One sentence: what happened or will happen on this hop. */
  readonly headline: string;
  readonly facts: readonly HopFact[];
  /** For recipient hops. */
  readonly domain?: string;
}

/** The message's path hop by hop, computed once in core from the report and the recipients' forecasts. */
export interface HopModel {
  readonly outcome: SubmissionOutcome;
  readonly headline: string;
  readonly tone: HopTone;
  readonly hops: readonly HopView[];
}
