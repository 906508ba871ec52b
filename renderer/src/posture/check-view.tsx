import { useState, type FormEvent } from 'react';
import type { ErrorData } from '../../../shared/types/errors';
import type { Attempt, DomainCheckResult, Finding, ServerCheckResult, Severity } from '../../../shared/types/posture';
import type { SecurityChoice } from '../../../shared/types/security';
import { api } from '../api';
import { CHOICE_WORDS } from '../compose/security-choice';
import { ErrorBox } from '../ui/error-box';

type Checked = { kind: 'server'; at: string; target: string; result: ServerCheckResult } | { kind: 'domain'; at: string; target: string; result: DomainCheckResult };

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info', 'ok'];
const SEVERITY_WORDS: Readonly<Record<Severity, string>> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Information', ok: 'Good' };

/** The server and domain check: a host (port, security) or a domain in; findings by severity, "could not check" apart. */
export function CheckView() {
  const [kind, setKind] = useState<'server' | 'domain'>('server');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('587');
  const [security, setSecurity] = useState<'auto' | 'starttls' | 'implicit'>('auto');
  const [domain, setDomain] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorData>();
  const [recent, setRecent] = useState<readonly Checked[]>([]);
  const [shown, setShown] = useState<Checked>();
  const [copied, setCopied] = useState<string>();
  const run = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const at = new Date().toISOString();
    if (kind === 'server') {
      const result = await api.posture.checkServer({ host: host.trim(), ...(port ? { port: Number(port) } : {}), security });
      setBusy(false);
      if (!result.ok) return setError(result.error);
      const checked: Checked = { kind, at, target: `${host.trim()}:${result.value.port}`, result: result.value };
      setShown(checked);
      setRecent((r) => [checked, ...r].slice(0, 10));
    } else {
      const result = await api.posture.checkDomain({ domain: domain.trim() });
      setBusy(false);
      if (!result.ok) return setError(result.error);
      const checked: Checked = { kind, at, target: domain.trim(), result: result.value };
      setShown(checked);
      setRecent((r) => [checked, ...r].slice(0, 10));
    }
  };
  const copy = (): void => {
    if (!shown) return;
    navigator.clipboard.writeText(JSON.stringify(shown.result, null, 2)).then(
      () => setCopied('The JSON (the same document as hoplight check --json) was copied.'),
      () => setCopied('Could not copy: the clipboard is not available here.'),
    );
  };
  return (
    <section className="mailbox-view" aria-labelledby="check-title">
      <h2 id="check-title">Check a server or a domain</h2>
      <p className="caveat">Connects, looks and reports: it never logs in and never sends mail.</p>
      <form className="check-form" onSubmit={(e) => void run(e)} aria-label="What to check">
        <fieldset className="check-kind">
          <legend>What</legend>
          <label>
            <input type="radio" name="check-kind" checked={kind === 'server'} onChange={() => setKind('server')} /> A mail server
          </label>
          <label>
            <input type="radio" name="check-kind" checked={kind === 'domain'} onChange={() => setKind('domain')} /> A recipient domain (MX, DNSSEC, MTA-STS, DANE)
          </label>
        </fieldset>
        {kind === 'server' ? (
          <div className="check-fields">
            <div className="check-field">
              <label htmlFor="check-host">Host</label>
              <input id="check-host" value={host} onChange={(e) => setHost(e.target.value)} placeholder="smtp.example.org" />
            </div>
            <div className="check-field">
              <label htmlFor="check-port">Port</label>
              <input id="check-port" value={port} inputMode="numeric" onChange={(e) => setPort(e.target.value)} />
            </div>
            <div className="check-field">
              <label htmlFor="check-security">Security</label>
              <select id="check-security" value={security} onChange={(e) => setSecurity(e.target.value as typeof security)}>
                <option value="auto">By the port (465 implicit TLS, else STARTTLS)</option>
                <option value="starttls">STARTTLS</option>
                <option value="implicit">Implicit TLS</option>
              </select>
            </div>
          </div>
        ) : (
          <div className="check-fields">
            <div className="check-field">
              <label htmlFor="check-domain">Domain</label>
              <input id="check-domain" value={domain} onChange={(e) => setDomain(e.target.value)} placeholder="example.org" />
            </div>
          </div>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || (kind === 'server' ? !host.trim() : !domain.trim())}>
            {busy ? 'Checking…' : 'Check'}
          </button>
          {busy ? (
            <span role="status" className="caveat">
              {kind === 'server' ? 'Connecting, STARTTLS, each TLS version, the certificate, OCSP, the extensions, the injection probe… (at most a minute)' : 'MX, DNSSEC, each MX host, MTA-STS, DANE, TLS-RPT… (at most a minute and a half)'}
            </span>
          ) : null}
        </div>
      </form>
      {error ? <ErrorBox error={error} /> : null}
      {recent.length > 1 ? (
        <div className="recent-checks">
          <label htmlFor="recent-checks">Recent checks</label>
          <select id="recent-checks" value={shown ? recent.indexOf(shown) : -1} onChange={(e) => setShown(recent[Number(e.target.value)])}>
            {recent.map((c, i) => (
              <option key={`${c.at}-${i}`} value={i}>
                {c.target} — {new Date(c.at).toLocaleTimeString()}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {shown ? (
        <div className="check-result" aria-label={`Result for ${shown.target}`} role="region">
          <h3>
            {shown.target} <span className="message-date">checked {new Date(shown.at).toLocaleString()} in {(shown.result.durationMs / 1000).toFixed(1)} s</span>
          </h3>
          <Findings findings={shown.result.findings} />
          {shown.kind === 'server' ? <ServerFacts result={shown.result} /> : <DomainFacts result={shown.result} />}
          <div className="actions">
            <button type="button" onClick={copy}>
              Copy as JSON
            </button>
            {copied ? <span role="status">{copied}</span> : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}

function Findings(props: { findings: readonly Finding[] }) {
  return (
    <div className="findings">
      {SEVERITIES.map((severity) => {
        const group = props.findings.filter((f) => f.severity === severity);
        if (!group.length) return null;
        return (
          <div key={severity} className={`finding-group severity-${severity}`} data-severity={severity}>
            <h4>
              {SEVERITY_WORDS[severity]} ({group.length})
            </h4>
            <ul>
              {group.map((f, i) => (
                <li key={`${f.id}-${i}`} data-finding={f.id}>
                  <strong>{f.title}</strong>
                  {f.detail ? <span className="finding-detail"> {f.detail}</span> : null}
                  <span className="finding-subject"> — {f.subject}</span>
                </li>
              ))}
            </ul>
          </div>
        );
      })}
      {props.findings.length === 0 ? <p>No findings.</p> : null}
    </div>
  );
}

/** Attempts that did not complete, listed apart: "could not check" is never shown as fine. */
function NotChecked(props: { attempts: readonly [string, Attempt<unknown>][] }) {
  const missing = props.attempts.filter(([, a]) => a.status !== 'completed');
  if (!missing.length) return null;
  return (
    <div className="not-checked" data-state="unknown">
      <h4>
        <span aria-hidden="true">? </span>Could not check ({missing.length})
      </h4>
      <ul>
        {missing.map(([name, a]) => (
          <li key={name}>
            <strong>{name}:</strong> {a.status === 'completed' ? '' : a.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}

function ServerFacts(props: { result: ServerCheckResult }) {
  const r = props.result;
  const cert = r.certificate.status === 'completed' ? r.certificate.result : undefined;
  const ext = r.extensions.status === 'completed' ? r.extensions.result : undefined;
  return (
    <>
      <NotChecked
        attempts={[
          ['Connection', r.connection],
          ['STARTTLS', r.starttls],
          ['TLS', r.tls],
          ['Certificate', r.certificate],
          ['OCSP', r.ocsp],
          ['Extensions', r.extensions],
          ['STARTTLS injection', r.starttlsInjection],
        ]}
      />
      <table className="tls-versions">
        <caption>TLS versions</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Accepted</th>
            <th scope="col">Cipher or reason</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(r.tlsVersions).map(([version, a]) => (
            <tr key={version} data-version={version}>
              <th scope="row">{version}</th>
              <td>{a.status === 'completed' ? (a.result.accepted ? 'yes' : 'no') : 'could not check'}</td>
              <td>{a.status === 'completed' ? (a.result.cipher ?? a.result.detail ?? '') : a.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cert ? (
        <dl className="account-facts">
          <div className="fact">
            <dt>Certificate</dt>
            <dd>
              {cert.leaf.subject}, issued by {cert.leaf.issuer}
            </dd>
          </div>
          <div className={`fact ${cert.chainTrusted && cert.hostnameMatched ? '' : 'tone-bad'}`}>
            <dt>Trusted</dt>
            <dd>
              {cert.chainTrusted ? 'chain trusted' : `chain not trusted (${cert.chainError ?? 'unknown reason'})`}; {cert.hostnameMatched ? `matches ${cert.checkedName}` : `does not match ${cert.checkedName}`}
            </dd>
          </div>
          <div className="fact">
            <dt>Valid</dt>
            <dd>
              until {cert.leaf.validTo} ({cert.daysUntilExpiry} days)
            </dd>
          </div>
          <div className="fact">
            <dt>SHA-256</dt>
            <dd className="mono">{cert.leaf.fingerprintSha256}</dd>
          </div>
        </dl>
      ) : null}
      {ext ? (
        <dl className="account-facts">
          <div className="fact">
            <dt>REQUIRETLS</dt>
            <dd>{ext.requireTlsAfterTls ? 'advertised after TLS' : 'not advertised'}</dd>
          </div>
          <div className={`fact ${ext.authBeforeTls.length ? 'tone-bad' : ''}`}>
            <dt>AUTH</dt>
            <dd>
              {ext.authBeforeTls.length ? `offered before TLS (${ext.authBeforeTls.join(' ')})` : 'only after TLS'}; after TLS: {ext.authAfterTls.join(' ') || 'none'}
            </dd>
          </div>
          <div className="fact">
            <dt>Extensions</dt>
            <dd>
              {[ext.pipelining && 'PIPELINING', ext.pipeconnect && 'PIPECONNECT', ext.chunking && 'CHUNKING', ext.smtputf8 && 'SMTPUTF8', ext.eightBitMime && '8BITMIME', ext.dsn && 'DSN', ext.size !== undefined && `SIZE ${ext.size}`].filter(Boolean).join(', ') || 'none'}
            </dd>
          </div>
        </dl>
      ) : null}
    </>
  );
}

function DomainFacts(props: { result: DomainCheckResult }) {
  const r = props.result;
  const mx = r.mx.status === 'completed' ? r.mx.result : undefined;
  const sts = r.mtaSts.status === 'completed' ? r.mtaSts.result : undefined;
  return (
    <>
      <NotChecked attempts={[['MX', r.mx], ['MTA-STS', r.mtaSts], ['TLS-RPT', r.tlsRpt]]} />
      <dl className="account-facts">
        <div className="fact">
          <dt>MX</dt>
          <dd>{mx ? `${mx.hosts.map((h) => `${h.name} (${h.preference})`).join(', ') || 'none'}; ${mx.authenticated ? 'DNSSEC-validated' : 'not DNSSEC-signed'}` : 'could not check'}</dd>
        </div>
        <div className="fact">
          <dt>MTA-STS</dt>
          <dd>{sts ? (sts.policy ? `mode ${sts.policy.mode}` : sts.record ? `record found; ${sts.problem ?? 'no policy'}` : 'none published') : 'could not check'}</dd>
        </div>
        <div className="fact">
          <dt>TLS-RPT</dt>
          <dd>{r.tlsRpt.status === 'completed' ? (r.tlsRpt.result.record ?? 'none published') : 'could not check'}</dd>
        </div>
      </dl>
      <h4>Forecast per security choice</h4>
      <ul className="forecast-list">
        {(Object.keys(r.forecast) as SecurityChoice[]).map((choice) => (
          <li key={choice} data-choice={choice} data-verdict={r.forecast[choice].verdict}>
            <strong>{CHOICE_WORDS[choice]}:</strong> {r.forecast[choice].summary}
          </li>
        ))}
      </ul>
    </>
  );
}
