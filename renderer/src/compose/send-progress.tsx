import type { SendStep } from '../../../shared/types/report';

const STEPS: readonly { step: SendStep; words: string }[] = [
  { step: 'connecting', words: 'Connecting' },
  { step: 'tls', words: 'Securing the connection (TLS)' },
  { step: 'authenticating', words: 'Logging in' },
  { step: 'sending', words: 'Sending the message' },
  { step: 'awaiting-verdict', words: 'Waiting for the server’s verdict' },
];

/** The phases of a send as they happen, with Cancel. */
export function SendProgress(props: { step: SendStep | undefined; cancelling: boolean; onCancel: () => void }) {
  const at = STEPS.findIndex((s) => s.step === props.step);
  return (
    <section className="progress" aria-label="Sending" aria-live="polite">
      <ol>
        {STEPS.map((s, i) => (
          <li key={s.step} className={i < at ? 'past' : i === at ? 'current' : 'future'} aria-current={i === at ? 'step' : undefined}>
            <span aria-hidden="true">{i < at ? '✔' : i === at ? '◐' : '○'}</span> {s.words}
          </li>
        ))}
      </ol>
      <button type="button" onClick={props.onCancel} disabled={props.cancelling}>
        {props.cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
      <p className="caveat">{at >= 4 ? 'Cancelling now leaves the outcome uncertain: the server may already have the message.' : 'Cancelling now delivers nothing.'}</p>
    </section>
  );
}
