import type { SecurityChoice } from '../../../shared/types/security';

const OPTIONS: readonly { value: SecurityChoice; title: string; text: string }[] = [
  {
    value: 'require-tls',
    title: 'Require TLS on every hop',
    text: 'REQUIRETLS (RFC 8689): every server on the way must use verified TLS, or the message comes back undelivered. Hoplight refuses to send if your server cannot honour it.',
  },
  {
    value: 'default',
    title: 'Default',
    text: 'Your connection to your server is encrypted and verified; later hops follow the servers’ own policies.',
  },
  {
    value: 'tls-optional',
    title: 'TLS optional',
    text: 'Adds “TLS-Required: No”: relays may deliver without TLS, ignoring the recipient’s policy. Your own connection stays encrypted.',
  },
];

/** The per-message choice of transport security. */
export function SecurityChoicePicker(props: { value: SecurityChoice; onChange: (value: SecurityChoice) => void }) {
  return (
    <fieldset className="security-choice" aria-label="Transport security">
      <legend>Transport security for this message</legend>
      {OPTIONS.map((option) => (
        <label key={option.value} className={option.value === props.value ? 'choice selected' : 'choice'}>
          <input type="radio" name="security" value={option.value} checked={option.value === props.value} onChange={() => props.onChange(option.value)} />
          <span className="choice-title">{option.title}</span>
          <span className="choice-text">{option.text}</span>
        </label>
      ))}
      <p className="caveat">TLS protects mail between servers, not end to end: each server that handles the message can read it.</p>
    </fieldset>
  );
}
