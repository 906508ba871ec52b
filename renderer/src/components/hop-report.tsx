import type { ErrorData } from '../../../shared/types/errors';
import type { SubmissionReport } from '../../../shared/types/report';
import { ERROR_TITLES } from '../error-messages';

function YesNo(props: { value: boolean }) {
  return <span className={props.value ? 'yes' : 'no'}>{props.value ? 'yes' : 'no'}</span>;
}

/** Shows an error: the words for its code, the message, the server's reply and what to do. */
export function ErrorBox(props: { error: ErrorData }) {
  const { error } = props;
  return (
    <div className="error" role="alert" data-code={error.code}>
      <strong>{ERROR_TITLES[error.code]}</strong>
      <p>{error.message}</p>
      {error.reply ? <p className="reply">Server said: {`${error.reply.code} ${error.reply.lines.join(' ')}`}</p> : null}
      {error.hint ? <p className="hint">{error.hint}</p> : null}
      <p className="transmitted">{error.messageTransmitted ? 'Part of the message reached the server.' : 'Nothing of the message was transmitted.'}</p>
    </div>
  );
}

/** The report of one submission: outcome, hop 1 facts, the relays' guarantee and the transcript. */
export function HopReport(props: { report: SubmissionReport }) {
  const { report } = props;
  const hop = report.submissionHop;
  const tls = hop.tls;
  return (
    <section className="report" aria-label="Security report" data-outcome={report.outcome}>
      <h2>{report.outcome === 'accepted' ? 'Accepted by your submission server' : 'Not delivered to your submission server'}</h2>
      {report.error ? <ErrorBox error={report.error} /> : null}
      <h3>Hop 1: this computer → {hop.host}:{hop.port}</h3>
      <dl>
        <dt>Transport</dt>
        <dd>{hop.transport === 'implicit-tls' ? 'Implicit TLS' : 'STARTTLS'}</dd>
        <dt>TLS</dt>
        <dd data-field="tls">{tls ? `${tls.protocol}, ${tls.cipher}` : 'not established'}</dd>
        {tls ? (
          <>
            <dt>Certificate</dt>
            <dd>{tls.certificate.subject} (issued by {tls.certificate.issuer})</dd>
            <dt>Valid until</dt>
            <dd>{tls.certificate.validTo}</dd>
            <dt>SHA-256</dt>
            <dd className="mono">{tls.certificate.fingerprintSha256}</dd>
            <dt>Trusted</dt>
            <dd>{tls.trust.pinned ? 'by its pinned fingerprint' : <YesNo value={tls.trust.chainTrusted} />}</dd>
            <dt>Name matches</dt>
            <dd>
              <YesNo value={tls.trust.hostnameMatched} /> ({tls.trust.checkedName})
            </dd>
          </>
        ) : null}
        {hop.refusedTls ? (
          <>
            <dt>Refused certificate</dt>
            <dd data-field="refused-certificate">
              {hop.refusedTls.certificate.subject} (issued by {hop.refusedTls.certificate.issuer}); SHA-256{' '}
              <span className="mono">{hop.refusedTls.certificate.fingerprintSha256}</span>;{' '}
              {hop.refusedTls.trust.chainError ? `chain not trusted: ${hop.refusedTls.trust.chainError}; ` : ''}
              name {hop.refusedTls.trust.hostnameMatched ? 'matches' : `does not match ${hop.refusedTls.trust.checkedName}`}
            </dd>
          </>
        ) : null}
        <dt>REQUIRETLS</dt>
        <dd data-field="requiretls">
          advertised <YesNo value={hop.requireTls.advertised} />, requested {hop.requireTls.requested ? 'yes' : 'no'}, accepted{' '}
          {hop.requireTls.requested ? <YesNo value={hop.requireTls.accepted} /> : 'n/a'}
        </dd>
        <dt>Login</dt>
        <dd>{hop.authMechanism ?? 'not used'}</dd>
        {hop.queueId ? (
          <>
            <dt>Queue id</dt>
            <dd>{hop.queueId}</dd>
          </>
        ) : null}
      </dl>
      <h3>Later hops</h3>
      <p>{report.relays.summary}</p>
      <ul>
        {report.relays.details.map((d) => (
          <li key={d}>{d}</li>
        ))}
      </ul>
      <details>
        <summary>Transcript (login redacted, message content omitted)</summary>
        <pre className="transcript">{hop.transcript.map((e) => `${e.from === 'client' ? 'C:' : e.from === 'server' ? 'S:' : '--'} ${e.line}`).join('\n')}</pre>
      </details>
    </section>
  );
}
