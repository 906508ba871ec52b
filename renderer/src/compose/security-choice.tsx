import type { SecurityChoice } from '../../../shared/types/security';

/** The three choices, each with one plain line; the RFC is in the details, not the title. */
export const SECURITY_OPTIONS: readonly { value: SecurityChoice; title: string; text: string; detail: string }[] = [
  {
    value: 'require-tls',
    title: 'Require TLS on every hop',
    text: 'Every server must use verified TLS, or the message comes back to you.',
    detail: 'REQUIRETLS (RFC 8689). Hoplight refuses to send if your own server cannot honour it; nothing is transmitted then.',
  },
  {
    value: 'default',
    title: 'Default',
    text: 'Your connection is encrypted; later servers follow their own policy.',
    detail: 'Hop 1 is always encrypted and verified (STARTTLS, RFC 3207, or implicit TLS). Later hops usually use TLS when offered.',
  },
  {
    value: 'tls-optional',
    title: 'TLS optional',
    text: 'Deliver even if a later server can’t use TLS; for reaching a broken server.',
    detail: 'Adds the header “TLS-Required: No” (RFC 8689 §5). Your own connection stays encrypted and verified.',
  },
];

/** The per-message choice of transport security: one control, three states. */
export function SecurityChoicePicker(props: { value: SecurityChoice; onChange: (value: SecurityChoice) => void }) {
  return (
    <fieldset className="security-choice">
      <legend>How must this message travel?</legend>
      <div className="choices" role="radiogroup" aria-label="Transport security">
        {SECURITY_OPTIONS.map((option) => (
          <label key={option.value} className={option.value === props.value ? 'choice selected' : 'choice'} title={option.detail}>
            <input type="radio" name="security" value={option.value} checked={option.value === props.value} onChange={() => props.onChange(option.value)} />
            <span className="choice-title">{option.title}</span>
            <span className="choice-text">{option.text}</span>
          </label>
        ))}
      </div>
      <p className="caveat">Your connection to your own server is always encrypted and verified, whatever you choose. TLS protects mail between servers, not end to end.</p>
    </fieldset>
  );
}

/** A choice's title, for lists (Outbox, Sent). */
export const CHOICE_WORDS: Readonly<Record<SecurityChoice, string>> = Object.fromEntries(SECURITY_OPTIONS.map((o) => [o.value, o.title])) as Record<SecurityChoice, string>;
