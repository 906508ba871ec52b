import type { TlsFacts } from './report.js';
import type { ServerCheckResult } from './posture.js';
import type { AuthMethod, ConnectionSecurity, SecurityChoice } from './security.js';

/** Where an account's password lives: the OS keychain, or nowhere (asked at each send). */
export type PasswordStorage = 'keychain' | 'ask';

/** A sending account. Never holds a password: that lives only in the OS keychain. */
export interface Account {
  readonly id: string;
  /** A name the user chose, unique, e.g. "Work". */
  readonly name: string;
  readonly fromName?: string;
  readonly fromAddress: string;
  readonly host: string;
  readonly port: number;
  readonly security: ConnectionSecurity;
  readonly user: string;
  readonly authMethod: AuthMethod;
  readonly caFile?: string;
  readonly pinSha256?: string;
  /** The transport-security choice new messages from this account start with. */
  readonly defaultSecurity: SecurityChoice;
  readonly passwordStorage: PasswordStorage;
}

/** What the user gives to create an account (the id is made by Hoplight). */
export type AccountInput = Omit<Account, 'id'>;

/** An account as shown: with whether a password is stored, never the password. */
export interface AccountView extends Account {
  /** `unknown` when the keychain could not be asked. */
  readonly passwordStored: boolean | 'unknown';
}

/** A submission server found for an address, and where the fact came from. */
export interface DiscoveredServer {
  readonly host: string;
  readonly port: number;
  readonly security: ConnectionSecurity;
  /** e.g. `DNS SRV _submissions._tcp.example.org (DNSSEC-validated)`, or the autoconfig URL. */
  readonly source: string;
  /** From the autoconfig file: %EMAILADDRESS% or %EMAILLOCALPART% resolved. */
  readonly user?: string;
}

/** What account discovery found for an address. */
export interface DiscoveryResult {
  readonly address: string;
  readonly domain: string;
  /** Best first: implicit TLS before STARTTLS (RFC 8314), SRV priority/weight order, then autoconfig. */
  readonly candidates: readonly DiscoveredServer[];
  /** What was looked at and what came of it, in order. */
  readonly steps: readonly { readonly what: string; readonly outcome: string }[];
}

/** One step of "Test account", with what happened. */
export interface AccountTestStep {
  readonly step: 'connect' | 'tls' | 'auth' | 'posture';
  readonly ok: boolean;
  readonly detail: string;
}

/** The result of testing an account (no mail is sent): each step, and the server's posture. */
export interface AccountTestResult {
  readonly account: string;
  readonly steps: readonly AccountTestStep[];
  readonly posture?: ServerCheckResult;
  /**
   * When TLS failed because the certificate was not trusted: what the server presented on this very session and why
   * it was refused, so the user can compare the fingerprint with the administrator's before pinning it.
   */
  readonly refusedCertificate?: TlsFacts;
  readonly ok: boolean;
}
