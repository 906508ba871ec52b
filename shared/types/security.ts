/** The sender's per-message transport-security choice (RFC 8689). */
export type SecurityChoice = 'require-tls' | 'default' | 'tls-optional';

/** Every security choice, in the order the composer offers them. */
export const SECURITY_CHOICES: readonly SecurityChoice[] = ['require-tls', 'default', 'tls-optional'];

/** How hop 1 (client to submission server) is wrapped in TLS: RFC 8314 implicit TLS or RFC 3207 STARTTLS. */
export type ConnectionSecurity = 'starttls' | 'implicit';

/** Which SASL mechanism to use for AUTH; `auto` picks the best one the server offers after TLS. */
export type AuthMethod = 'auto' | 'PLAIN' | 'LOGIN';
