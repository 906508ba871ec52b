// mailauth@4 ships no types; these cover the MTA-STS functions Hoplight uses (lib/mta-sts.js).
declare module 'mailauth/lib/mta-sts.js' {
  type Resolver = (name: string, type: string) => Promise<unknown[]>;
  interface Policy {
    mode: 'enforce' | 'testing' | 'none';
    maxAge: number;
    mx?: string[];
    version?: string;
  }
  const mtaSts: {
    resolvePolicy(address: string, options?: { resolver?: Resolver }): Promise<string | false>;
    parsePolicy(file: Buffer | string): Policy;
    validateMx(mx: string, policy: { mode: string; mx?: string[] }): { valid: boolean; mode: string; match?: string; testing: boolean };
  };
  export default mtaSts;
}

// The Received-header tokenizer (lib/parse-received.js): clauses by key, comments kept, the date apart.
declare module 'mailauth/lib/parse-received.js' {
  interface Clause {
    value: string;
    comment?: string;
  }
  type Parsed = { [key: string]: Clause | string | undefined; timestamp?: string; full: string };
  export function parseReceived(line: string | Buffer): Parsed | false;
}

// DKIM verification (lib/dkim/verify.js): one result per DKIM-Signature; the ARC chain's data rides along, unenumerable.
declare module 'mailauth/lib/dkim/verify.js' {
  type Resolver = (name: string, type: string) => Promise<unknown[]>;
  interface DkimStatus {
    result: string;
    comment?: string;
    aligned?: string | false;
  }
  interface DkimResult {
    signingDomain?: string;
    selector?: string;
    status: DkimStatus;
  }
  interface DkimVerification {
    headerFrom?: string[];
    results: DkimResult[];
    /** Not enumerable: the ARC sets, for lib/arc's arc(). */
    readonly arc?: unknown;
  }
  export function dkimVerify(input: Buffer, options: { resolver: Resolver; minBitLength?: number; curTime?: Date }): Promise<DkimVerification>;
}

// ARC chain validation (lib/arc/index.js), RFC 8617 §5.2.
declare module 'mailauth/lib/arc/index.js' {
  type Resolver = (name: string, type: string) => Promise<unknown[]>;
  interface ArcResult {
    status: { result: string; comment?: string };
    i?: number | false;
  }
  export function arc(data: unknown, options: { resolver: Resolver; minBitLength?: number }): Promise<ArcResult>;
}
