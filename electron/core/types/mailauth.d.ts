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
