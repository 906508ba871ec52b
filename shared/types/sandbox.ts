/** The sandbox server as the app sees it. Its generated password stays in main: a send asks main to use it. */
export interface SandboxStatus {
  readonly running: boolean;
  readonly host?: string;
  readonly starttlsPort?: number;
  readonly implicitPort?: number;
  readonly user?: string;
  readonly caFile?: string;
  readonly messagesDir?: string;
}

/** A message the sandbox accepted, as an event for the app. */
export interface SandboxMessageEvent {
  readonly id: string;
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly requireTls: boolean;
  readonly tlsProtocol?: string;
  readonly emlPath: string;
}
