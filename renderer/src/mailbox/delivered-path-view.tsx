import type { DeliveredHop, DeliveredPath } from '../../../shared/types/delivered';

function transport(hop: DeliveredHop): { words: string; tone: 'good' | 'bad' | 'unknown' | 'neutral' } {
  if (hop.local) return { words: `Local: inside one host or provider, no transport claim${hop.tls ? ` (it states TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''})` : ''}`, tone: 'neutral' };
  if (hop.tls === true) return { words: `TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''}`, tone: 'good' };
  if (hop.tls === false) return { words: 'No TLS: the protocol it records is cleartext', tone: 'bad' };
  return { words: 'Not stated: the header says nothing about TLS', tone: 'unknown' };
}

const MARK = { good: '✔', bad: '✖', unknown: '?', neutral: '●' } as const;

/** The path a delivered copy records, oldest hop first: what each header states, never more. */
export function DeliveredPathView(props: { path: DeliveredPath; file?: string }) {
  const { path } = props;
  return (
    <section className="delivered-path" aria-label="How the message actually travelled">
      <h3>How it actually travelled{props.file ? <span className="message-date"> — {props.file}</span> : null}</h3>
      <p className="caveat">
        Read from the copy’s Received headers, oldest first. Each hop shows only what its header states; only the hops your own provider and later servers added can be trusted, anything below
        them was written by the sender’s side.
      </p>
      <ol className="delivered-hops">
        {path.hops.map((hop) => {
          const t = transport(hop);
          return (
            <li key={hop.index} className={`delivered-hop tone-${t.tone}`} data-tls={String(hop.tls)} data-local={hop.local}>
              <div className="delivered-head">
                <strong>
                  {hop.index + 1}. {hop.from ?? '?'}
                  {hop.fromAddress && hop.from !== `[${hop.fromAddress}]` && hop.from !== hop.fromAddress ? ` [${hop.fromAddress}]` : ''} → {hop.by ?? '?'}
                </strong>
                {hop.protocol ? <span className="message-date"> with {hop.protocol}</span> : null}
              </div>
              <div className="delivered-facts">
                <span>
                  <span aria-hidden="true">{MARK[t.tone]} </span>
                  {t.words}
                </span>
                {hop.certVerified !== null ? <span>{hop.certVerified ? 'peer certificate verified' : 'peer certificate not verified'} (as stated)</span> : null}
                {hop.authenticated ? <span>authenticated submission</span> : null}
                {hop.requiretls ? <span className="tone-good">REQUIRETLS recorded</span> : null}
                <span>
                  {hop.date ? new Date(hop.date).toLocaleString() : 'no date'}
                  {hop.delaySeconds !== undefined ? ` (+${hop.delaySeconds} s)` : ''}
                </span>
              </div>
              {hop.problems.map((p) => (
                <p key={p} className="message-error">
                  <span aria-hidden="true">⚠ </span>
                  {p}
                </p>
              ))}
            </li>
          );
        })}
      </ol>
      <p className="caveat">
        Require-TLS-ESMTP: {path.requireTlsEsmtp ? 'yes — a Postfix relay received it with REQUIRETLS' : 'not present'} · TLS-Required: No: {path.tlsRequiredNo ? 'yes (sent with “TLS optional”)' : 'not present'}
      </p>
      {path.authenticationResults.length ? (
        <details>
          <summary>Authentication-Results, as stated</summary>
          <ul className="auth-results">
            {path.authenticationResults.map((line) => (
              <li key={line} className="mono">
                {line}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
