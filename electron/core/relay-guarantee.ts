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
        summary: 'RFC 8689 requires every relay to pass the message on only over authenticated TLS, or to send it back to you; relays may be configured to relax that.',
        details: [
          'The message is marked with REQUIRETLS (RFC 8689). A compliant relay delivers it only to a next hop whose MX was found securely (DNSSEC or MTA-STS), over TLS, with a certificate it authenticated (DANE first, where the recipient publishes TLSA records; otherwise a verified certificate), and that itself supports REQUIRETLS (RFC 8689 §4.2.1).',
          'If no next hop meets that, the message is returned to you undelivered: status 5.7.30 when no server announces REQUIRETLS (or STARTTLS is missing), 5.7.10 when the next hop could not be authenticated (its MX not found securely, its certificate not trusted, TLSA records that do not match, or no DANE or MTA-STS policy the relay can use). A relay that does not authenticate next hops at all, such as Postfix 3.11 with its default opportunistic TLS, returns every such message.',
          'Relays can be configured to relax REQUIRETLS: Postfix documents an "opportunistic+starttls" setting that delivers over any TLS even when the next server lacks REQUIRETLS or a trusted certificate, and by default makes REQUIRETLS optional for next hops given by IP address, in its own domain, or on localhost. The recipient domain\'s forecast shows what each kind of relay would do; a delivered copy shows what happened on every hop.',
          'A relay such as Postfix 3.11 adds a "Require-TLS-ESMTP: yes" header when it passes on a message received with REQUIRETLS, so recipients can see that it was requested.',
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
          'The header "TLS-Required: No" (RFC 8689 §5) asks relays to ignore the recipient domain\'s MTA-STS and DANE policies. Relays may also drop their own TLS requirements for the message: Postfix 3.11 lowers its configured level to opportunistic TLS for it, so a message its settings would otherwise hold back is delivered, in cleartext if TLS fails or is stripped. Use it only when delivery matters more than secrecy, for example to report a TLS problem to the recipient\'s administrators.',
          'Your own connection to the submission server was still encrypted and verified: Hoplight never relaxes hop 1.',
          TRANSPORT_ONLY,
        ],
      };
  }
}
