// The signing side of mailauth@4, which only the tests use (to make DKIM-signed and ARC-sealed copies).
declare module 'mailauth/lib/dkim/sign.js' {
  interface SignatureData {
    signingDomain: string;
    selector: string;
    privateKey: string;
    canonicalization?: string;
    algorithm?: string;
  }
  export function dkimSign(input: Buffer, options: { signatureData: SignatureData[] }): Promise<{ signatures: string; errors: unknown[] }>;
}

declare module 'mailauth' {
  export function sealMessage(input: Buffer, seal: { signingDomain: string; selector: string; privateKey: string; authResults: string; cv: 'none' | 'pass' | 'fail'; i?: number }): Promise<Buffer>;
}
