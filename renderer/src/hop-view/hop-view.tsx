import { useState } from 'react';
import type { SendResult } from '../../../shared/ipc/contract';
import { StateBadge } from '../ui/state-badge';
import { ErrorBox } from '../ui/error-box';

/** The per-hop security view of one send: hop 1 as observed, relays as promised, each recipient as forecast. */
export function HopView(props: { result: SendResult; title?: string }) {
  const { report, hops, text } = props.result;
  const [copied, setCopied] = useState<string>();
  const copy = (what: string, content: string): void => {
    navigator.clipboard.writeText(content).then(
      () => setCopied(`${what} copied.`),
      () => setCopied(`Could not copy ${what.toLowerCase()}: the clipboard is not available here.`),
    );
  };
  return (
    <section className={`hop-view tone-${hops.tone}`} aria-label="How the message travels" data-outcome={report.outcome}>
      <p className="last-message">{props.title ?? `Last message, to ${report.message.recipients.join(', ')}`}</p>
      <h2 className="outcome">
        <span aria-hidden="true">{hops.tone === 'good' ? '✔ ' : hops.tone === 'bad' ? '✖ ' : '? '}</span>
        {hops.headline}
      </h2>
      {report.error ? <ErrorBox error={report.error} /> : null}
      <ol className="hops">
        {hops.hops.map((hop) => (
          <li key={`${hop.hop}-${hop.domain ?? ''}`} className={`hop tone-${hop.tone}`} data-hop={hop.hop} data-state={hop.state}>
            <div className="hop-head">
              <h3>{hop.title}</h3>
              <StateBadge state={hop.state} tone={hop.tone} />
            </div>
            <p className="hop-headline">{hop.headline}</p>
            {hop.hop === 'relays' && hop.facts.length ? (
              <details className="relay-details">
                <summary>What RFC 8689 asks of each relay, and where relays differ</summary>
                <ul>
                  {hop.facts.map((f, i) => (
                    <li key={i}>{f.value}</li>
                  ))}
                </ul>
              </details>
            ) : hop.facts.length ? (
              <dl>
                {hop.facts.map((f, i) => (
                  <div key={`${f.label}-${i}`} className={f.tone ? `fact tone-${f.tone}` : 'fact'}>
                    <dt>{f.label}</dt>
                    <dd data-fact={f.label}>{f.value}</dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </li>
        ))}
      </ol>
      <details>
        <summary>Transcript (login redacted, message content left out)</summary>
        <pre className="transcript" tabIndex={0} aria-label="Transcript">{report.submissionHop.transcript.map((e) => `${String(e.atMs).padStart(6)} ms ${e.from === 'client' ? 'C:' : e.from === 'server' ? 'S:' : '--'} ${e.line}`).join('\n')}</pre>
      </details>
      <div className="actions">
        <button type="button" onClick={() => copy('Report', text)}>
          Copy as text
        </button>
        <button type="button" onClick={() => copy('JSON', JSON.stringify(report, null, 2))}>
          Copy as JSON
        </button>
        {copied ? <span role="status">{copied}</span> : null}
      </div>
    </section>
  );
}
