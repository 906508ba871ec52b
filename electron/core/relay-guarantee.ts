import type { RelayGuarantee } from '../../shared/types/report.js';
import type { SecurityChoice } from '../../shared/types/security.js';

const TRANSPORT_ONLY =
  'TLS protects the message between servers, not end to end: every server that handles it can read it (RFC 8689 §1, §8). For content secrecy, encrypt the content itself.';

/** What the chosen mode promises after hop 1, in plain words (RFC 8689 §4 and §5). */
export function relayGuarantee(choice: SecurityChoice): RelayGuarantee {
  switch (choice) {
    case 'require-tls':
      return {
        choice,
        summary: 'Every hop must use TLS with a verified certificate, or the message comes back undelivered.',
        details: [
          'The message is marked with REQUIRETLS (RFC 8689). Each relay must deliver it only to a next hop whose MX was found securely (DNSSEC or MTA-STS), over TLS, with a certificate that verifies, and that itself supports REQUIRETLS (RFC 8689 §4.2.1).',
          'If any hop cannot meet that, the message is returned to you with a non-delivery report (status 5.7.30) instead of travelling unprotected.',
          TRANSPORT_ONLY,
        ],
      };
    case 'default':
      return {
        choice,
        summary: 'Your connection to the submission server is encrypted; later hops follow the servers\' own policy.',
        details: [
          'Relays usually use TLS when the next server offers it, but an active attacker can often strip it, unless the recipient\'s domain publishes MTA-STS (RFC 8461) or DANE (RFC 7672) and the relay honours it.',
          TRANSPORT_ONLY,
        ],
      };
    case 'tls-optional':
      return {
        choice,
        summary: 'The message asks relays to deliver it even if TLS to the next hop fails (TLS-Required: No).',
        details: [
          'The header "TLS-Required: No" (RFC 8689 §5) asks relays to ignore the recipient domain\'s MTA-STS and DANE policies, so it may cross later hops in cleartext. Use it only when delivery matters more than secrecy, for example to report a TLS problem to the recipient\'s administrators.',
          'Your own connection to the submission server was still encrypted and verified: Hoplight never relaxes hop 1.',
          TRANSPORT_ONLY,
        ],
      };
  }
}
