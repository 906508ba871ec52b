import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ErrorData } from '../../../shared/types/errors';
import type { Attempt, CheckStep, DomainCheckResult, Finding, ServerCheckResult, Severity, StoredCheck } from '../../../shared/types/posture';
import type { SecurityChoice } from '../../../shared/types/security';
import { api } from '../api';
import { CHOICE_WORDS } from '../compose/security-choice';
import { ErrorBox } from '../ui/error-box';
import { newOperationId } from '../ui/operation-id';

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info', 'ok'];
const SEVERITY_WORDS: Readonly<Record<Severity, string>> = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', info: 'Information', ok: 'Good' };
const STEP_MARK: Readonly<Record<CheckStep['state'], string>> = { running: '◐', done: '✔', stopped: '!' };
const STEP_WORDS: Readonly<Record<CheckStep['state'], string>> = { running: 'running', done: 'done', stopped: 'stopped early' };

/** The server and domain check: a host (port, security) or a domain in; findings by severity, "could not check" apart. */
export function CheckView() {
  const [kind, setKind] = useState<'server' | 'domain'>('server');
  const [host, setHost] = useState('');
  const [port, setPort] = useState('587');
  const [security, setSecurity] = useState<'auto' | 'starttls' | 'implicit'>('auto');
  const [domain, setDomain] = useState('');
  const [running, setRunning] = useState<string>();
  const [cancelling, setCancelling] = useState(false);
  const [steps, setSteps] = useState<readonly CheckStep[]>([]);
  const [error, setError] = useState<ErrorData>();
  const [notice, setNotice] = useState<string>();
  const [recent, setRecent] = useState<readonly StoredCheck[]>([]);
  const [recentProblem, setRecentProblem] = useState<string>();
  const [shown, setShown] = useState<StoredCheck>();
  const [saved, setSaved] = useState<string>();
  const operation = useRef<string | undefined>(undefined);

  useEffect(() => {
    let live = true;
    void api.posture.recent(undefined).then((r) => {
      if (!live) return;
      if (!r.ok) return setRecentProblem(r.error.message);
      setRecent(r.value.checks);
      setRecentProblem(r.value.problem);
      setShown((current) => current ?? r.value.checks[0]);
    });
    const off = api.events.postureProgress(({ operationId, step }) => {
      if (operationId !== operation.current) return;
      setSteps((list) => (list.some((s) => s.id === step.id) ? list.map((s) => (s.id === step.id ? step : s)) : [...list, step]));
    });
    return () => {
      live = false;
      off();
    };
  }, []);

  const run = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const operationId = newOperationId();
    operation.current = operationId;
    setRunning(operationId);
    setCancelling(false);
    setSteps([]);
    setError(undefined);
    setNotice(undefined);
    setSaved(undefined);
    const result =
      kind === 'server'
        ? await api.posture.checkServer({ host: host.trim(), ...(port ? { port: Number(port) } : {}), security, operationId })
        : await api.posture.checkDomain({ domain: domain.trim(), operationId });
    operation.current = undefined;
    setRunning(undefined);
    if (!result.ok) {
      if (result.error.code === 'ECANCELLED') return setNotice('The check was cancelled; nothing of it was kept.');
      return setError(result.error);
    }
    setShown(result.value);
    setRecent((list) => [result.value, ...list.filter((c) => c.id !== result.value.id)].slice(0, 20));
  };
  const cancel = (): void => {
    if (!running) return;
    setCancelling(true);
    void api.posture.cancel({ operationId: running });
  };
  const copy = (): void => {
    if (!shown) return;
    navigator.clipboard.writeText(JSON.stringify(shown.result, null, 2)).then(
      () => setSaved('The JSON (the same document as hoplight check --json) was copied.'),
      () => setSaved('Could not copy: the clipboard is not available here.'),
    );
  };
  const save = async (): Promise<void> => {
    if (!shown) return;
    const result = await api.posture.export({ id: shown.id });
    if (!result.ok) return setSaved(`Not saved: ${result.error.message}`);
    setSaved(result.value.savedTo ? `Saved to ${result.value.savedTo}` : undefined);
  };
  const forget = async (id?: string): Promise<void> => {
    const result = await api.posture.forget(id === undefined ? {} : { id });
    if (!result.ok) return setRecentProblem(result.error.message);
    setRecent(result.value.checks);
    setShown(id === undefined ? undefined : result.value.checks[0]);
    setSaved(undefined);
  };
  const busy = running !== undefined;
  return (
    <section className="mailbox-view" aria-labelledby="check-title">
      <h2 id="check-title">Check a server or a domain</h2>
      <p className="caveat">Connects, looks and reports: it never logs in and never sends mail.</p>
      <form className="check-form" onSubmit={(e) => void run(e)} aria-label="What to check">
        <fieldset className="check-kind" disabled={busy}>
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
            <button type="button" onClick={cancel} disabled={cancelling}>
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          ) : null}
          {busy ? <span className="caveat">{kind === 'server' ? 'At most a minute.' : 'At most a minute and a half.'}</span> : null}
        </div>
      </form>
      {busy ? <CheckProgress steps={steps} /> : null}
      {notice ? (
        <p role="status" className="notice">
          {notice}
        </p>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
      {recentProblem ? (
        <p role="alert" className="caveat tone-bad">
          {recentProblem}
        </p>
      ) : null}
      {recent.length > 0 ? (
        <div className="recent-checks">
          <div className="check-field">
            <label htmlFor="recent-checks">Recent checks ({recent.length})</label>
            <select
            id="recent-checks"
            value={shown?.id ?? ''}
            onChange={(e) => {
              setShown(recent.find((c) => c.id === e.target.value));
              setSaved(undefined);
            }}
          >
            {shown ? null : <option value="">Choose a check…</option>}
            {recent.map((c) => (
              <option key={c.id} value={c.id}>
                {c.target} — {new Date(c.at).toLocaleString()}
              </option>
            ))}
            </select>
          </div>
          <button type="button" onClick={() => void forget()} disabled={busy}>
            Forget all
          </button>
        </div>
      ) : null}
      {shown && !busy ? (
        <div className="check-result" aria-label={`Result for ${shown.target}`} role="region">
          <h3>
            {shown.target} <span className="message-date">checked {new Date(shown.at).toLocaleString()} in {(shown.result.durationMs / 1000).toFixed(1)} s</span>
          </h3>
          <Findings findings={shown.result.findings} />
          {shown.kind === 'server' ? <ServerFacts result={shown.result} /> : <DomainFacts result={shown.result} />}
          <div className="actions">
            <button type="button" onClick={() => void save()}>
              Save as JSON…
            </button>
            <button type="button" onClick={copy}>
              Copy as JSON
            </button>
            <button type="button" onClick={() => void forget(shown.id)}>
              Forget this check
            </button>
            {saved ? <span role="status">{saved}</span> : null}
          </div>
        </div>
      ) : null}
    </section>
  );
}

/** Each probe or lookup of the running check, as it starts and ends. */
function CheckProgress(props: { steps: readonly CheckStep[] }) {
  return (
    <section className="progress check-progress" aria-label="Checking" aria-live="polite">
      {props.steps.length === 0 ? <p>Starting…</p> : null}
      <ol>
        {props.steps.map((s) => (
          <li key={s.id} data-step={s.id} data-state={s.state} className={s.state === 'running' ? 'current' : 'past'}>
            <span aria-hidden="true">{STEP_MARK[s.state]}</span> {s.label} <span className="visually-hidden">({STEP_WORDS[s.state]})</span>
            {s.state === 'stopped' && s.detail ? <span className="finding-detail"> — {s.detail}</span> : null}
          </li>
        ))}
      </ol>
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
