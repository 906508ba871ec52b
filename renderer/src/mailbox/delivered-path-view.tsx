import type { DeliveredHop, DeliveredPath, HopTrust, StatedAuthentication, VerifiedAuthentication, VerifiedState } from '../../../shared/types/delivered';

function transport(hop: DeliveredHop): { words: string; tone: 'good' | 'bad' | 'unknown' | 'neutral' } {
  if (hop.local) return { words: `Local: inside one host or provider, no transport claim${hop.tls ? ` (it states TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''})` : ''}`, tone: 'neutral' };
  // A header written before the provider can say anything: what it states is shown, never as secure.
  if (hop.tls === true && hop.trust === 'sender-side') return { words: `States TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''} (unverifiable)`, tone: 'unknown' };
  if (hop.tls === true) return { words: `TLS${hop.version ? ` ${hop.version}` : ''}${hop.cipher ? `, ${hop.cipher}` : ''}`, tone: 'good' };
  if (hop.tls === false) return { words: 'No TLS: the protocol it records is cleartext', tone: 'bad' };
  return { words: 'Not stated: the header says nothing about TLS', tone: 'unknown' };
}

const MARK = { good: '✔', bad: '✖', unknown: '?', neutral: '●' } as const;

const TRUST: Record<HopTrust, { words: string; tone: 'bad' | 'neutral' }> = {
  'sender-side': { words: 'Written before your provider: it can be forged', tone: 'bad' },
  provider: { words: 'Recorded by your provider', tone: 'neutral' },
  'after-provider': { words: 'Recorded by a server after your provider', tone: 'neutral' },
};

function providerSentence(path: DeliveredPath): string {
  if (!path.provider) return 'The account this was sent with is not known, so no hop can be told apart as trustworthy: each shows only what its header states.';
  const { account, names, firstHop } = path.provider;
  if (firstHop === undefined) return `Sent with ${account}, but no hop names its servers (${names.join(', ')}): none of these headers can be checked against your provider.`;
  return `Sent with ${account}: its servers recorded hop ${firstHop + 1} first. What they and later servers wrote can be trusted${firstHop ? `; hops 1–${firstHop} were written before it, by the sending side, and can be forged` : ''}.`;
}

const STATE: Record<VerifiedState | 'none' | 'not-rechecked', { words: string; tone: 'good' | 'bad' | 'unknown' | 'neutral' }> = {
  pass: { words: 'Pass', tone: 'good' },
  fail: { words: 'Fail', tone: 'bad' },
  'could-not-check': { words: 'Could not check', tone: 'unknown' },
  none: { words: 'None', tone: 'neutral' },
  'not-rechecked': { words: 'Not re-checked', tone: 'unknown' },
};

function Verified(props: { verified?: VerifiedAuthentication; problem?: string }) {
  const v = props.verified;
  if (!v) return <p className="caveat">{props.problem ?? 'Not verified: only what the headers state is shown.'}</p>;
  const row = (label: string, state: keyof typeof STATE, detail: string, key: string) => (
    <li key={key} className={`verified-row tone-${STATE[state].tone}`}>
      <span className="verified-label">{label}</span>
      <span className={`badge tone-${STATE[state].tone} state-verified`}>
        <span aria-hidden="true">{MARK[STATE[state].tone]} </span>
        {STATE[state].words}
      </span>
      <span>{detail}</span>
    </li>
  );
  return (
    <>
      <ul className="verified-list">
        {v.dkim.length === 0 ? row('DKIM', 'none', 'the message is not signed', 'dkim-none') : v.dkim.map((s, i) => row(`DKIM d=${s.domain}`, s.state, `${s.detail}${s.aligned ? ' (aligned with From)' : ''}`, `dkim-${i}`))}
        {row('ARC', v.arc.state, v.arc.detail, 'arc')}
        {row('DMARC', v.dmarc.state, v.dmarc.detail, 'dmarc')}
      </ul>
      <p className="caveat">SPF is not re-checked: it depends on the server that sent it and when. Keys looked up now through {v.resolver}.</p>
    </>
  );
}

function Stated(props: { results: readonly StatedAuthentication[] }) {
  if (props.results.length === 0) return <p className="caveat">The copy carries no Authentication-Results field.</p>;
  return (
    <ul className="auth-results">
      {props.results.map((a, i) => (
        <li key={i} className={a.trust === 'sender-side' ? 'tone-bad' : undefined}>
          <strong>{a.authservId || '?'}</strong>
          {a.field === 'ARC-Authentication-Results' ? ` (ARC i=${a.instance ?? '?'})` : ''}: {a.results.length ? a.results.map((r) => `${r.method}=${r.result}${r.properties['header.d'] ? ` (d=${r.properties['header.d']})` : ''}`).join(', ') : 'no result'}
          <span className="message-date">
            {' '}
            — {a.above >= 0 ? `above hop ${a.above + 1}` : 'below every hop'}
            {a.trust ? (a.trust === 'sender-side' ? ', written before your provider: can be forged' : ', added by your provider or later') : ''}
          </span>
          {a.problem ? <span className="message-error"> ⚠ {a.problem}</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** The path a delivered copy records, oldest hop first: what each header states, never more. */
export function DeliveredPathView(props: { path: DeliveredPath; file?: string }) {
  const { path } = props;
  return (
    <section className="delivered-path" aria-label="How the message actually travelled">
      <h3>How it actually travelled{props.file ? <span className="message-date"> — {props.file}</span> : null}</h3>
      <p className="caveat">Read from the copy’s Received headers, oldest first. Each hop shows only what its header states.</p>
      <p className="provider-trust">{providerSentence(path)}</p>
      <ol className="delivered-hops">
        {path.hops.map((hop) => {
          const t = transport(hop);
          return (
            <li key={hop.index} className={`delivered-hop tone-${t.tone}${hop.trust === 'sender-side' ? ' sender-side' : ''}`} data-tls={String(hop.tls)} data-local={hop.local} data-trust={hop.trust ?? 'unknown'}>
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
                {path.requireTlsEsmtpAbove === hop.index ? <span className="tone-good">Require-TLS-ESMTP: yes sits above this hop</span> : null}
                {hop.trust ? <span className={`trust tone-${TRUST[hop.trust].tone}`}>{TRUST[hop.trust].words}</span> : null}
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
        Require-TLS-ESMTP:{' '}
        {path.requireTlsEsmtp
          ? `yes — a Postfix relay received it with REQUIRETLS${path.requireTlsEsmtpAbove !== undefined ? ` (hop ${path.requireTlsEsmtpAbove + 1}’s server or a later one)` : ''}`
          : 'not present'}{' '}
        · TLS-Required: No: {path.tlsRequiredNo ? 'yes (sent with “TLS optional”: relays may deliver it without TLS)' : 'not present'}
      </p>
      <h4>Authentication</h4>
      <div className="auth-columns">
        <div>
          <h5>Verified now by Hoplight</h5>
          <Verified {...(path.verified ? { verified: path.verified } : {})} {...(path.verifyProblem ? { problem: path.verifyProblem } : {})} />
        </div>
        <div>
          <h5>As the servers state it</h5>
          <Stated results={path.authentication} />
        </div>
      </div>
    </section>
  );
}
