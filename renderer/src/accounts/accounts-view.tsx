import { useState, type FormEvent } from 'react';
import type { AccountTestResult, AccountView } from '../../../shared/types/account';
import type { ErrorData } from '../../../shared/types/errors';
import type { TlsFacts } from '../../../shared/types/report';
import type { SecurityChoice } from '../../../shared/types/security';
import { api } from '../api';
import { CHOICE_WORDS, SECURITY_OPTIONS } from '../compose/security-choice';
import { AddAccount } from '../first-run/add-account';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorBox } from '../ui/error-box';

/** Where an account's password is, said honestly: never a silent fallback when the keychain cannot be asked. */
function passwordWords(a: AccountView): string {
  if (a.passwordStorage === 'ask') return 'Asked at each send (not stored)';
  if (a.passwordStored === 'unknown') return 'Unknown: no keychain could be reached on this system. Unlock or install your system keychain (e.g. GNOME Keyring, KWallet), or choose to be asked at each send.';
  return a.passwordStored ? 'Stored in your system’s keychain' : 'Missing from the keychain: set it below';
}

/** The accounts screen: list, add (with discovery), edit, test (no mail sent), set the password, remove. */
export function AccountsView(props: { accounts: readonly AccountView[]; onChanged: () => void }) {
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string>();
  const [testing, setTesting] = useState<string>();
  const [tests, setTests] = useState<Record<string, AccountTestResult>>({});
  const [errors, setErrors] = useState<Record<string, ErrorData>>({});
  const [removing, setRemoving] = useState<AccountView>();
  const [pinning, setPinning] = useState<{ account: AccountView; fingerprint: string }>();
  // For accounts that ask at each send: typed for one test, then forgotten.
  const [testPasswords, setTestPasswords] = useState<Record<string, string>>({});
  const fail = (id: string, error: ErrorData): void => setErrors((e) => ({ ...e, [id]: error }));
  const clear = (id: string): void => setErrors(({ [id]: _gone, ...rest }) => rest);
  const test = async (a: AccountView): Promise<void> => {
    setTesting(a.id);
    clear(a.id);
    const password = testPasswords[a.id];
    const result = await api.accounts.test({ id: a.id, ...(a.passwordStorage === 'ask' && password ? { password } : {}) });
    setTestPasswords(({ [a.id]: _gone, ...rest }) => rest);
    setTesting(undefined);
    if (result.ok) setTests((t) => ({ ...t, [a.id]: result.value }));
    else fail(a.id, result.error);
  };
  /** Pins (or, with undefined, unpins) the certificate, then tests the account again with it. */
  const setPin = async (a: AccountView, fingerprint: string | undefined): Promise<void> => {
    setPinning(undefined);
    const { passwordStored: _p, pinSha256: _old, ...stored } = a;
    const result = await api.accounts.update({ ...stored, ...(fingerprint ? { pinSha256: fingerprint } : {}) });
    if (!result.ok) return fail(a.id, result.error);
    props.onChanged();
    setTests(({ [a.id]: _gone, ...rest }) => rest);
    if (fingerprint) await test(result.value);
  };
  const remove = async (a: AccountView): Promise<void> => {
    setRemoving(undefined);
    const result = await api.accounts.remove({ id: a.id });
    if (result.ok) props.onChanged();
    else fail(a.id, result.error);
  };
  return (
    <section className="mailbox-view" aria-labelledby="accounts-title">
      <h2 id="accounts-title">Accounts</h2>
      <p className="caveat">Settings live in the data folder; passwords only in your system’s keychain. Hoplight never shows a stored password.</p>
      {props.accounts.length === 0 ? <p className="empty">No account yet.</p> : null}
      <ul className="message-list">
        {props.accounts.map((a) => (
          <li key={a.id} className="message-row" data-account={a.name}>
            <div className="message-row-head">
              <strong>{a.name}</strong>
              <span className="message-date">{a.fromName ? `${a.fromName} <${a.fromAddress}>` : a.fromAddress}</span>
            </div>
            <dl className="account-facts">
              <div className="fact">
                <dt>Server</dt>
                <dd>
                  {a.host}:{a.port}, {a.security === 'implicit' ? 'implicit TLS' : 'STARTTLS'}; user {a.user} (AUTH {a.authMethod})
                </dd>
              </div>
              {a.caFile ? (
                <div className="fact">
                  <dt>Extra CA</dt>
                  <dd>{a.caFile}</dd>
                </div>
              ) : null}
              {a.pinSha256 ? (
                <div className="fact">
                  <dt>Pinned certificate</dt>
                  <dd>
                    <span className="mono">{a.pinSha256}</span>{' '}
                    <button type="button" className="link-button" onClick={() => void setPin(a, undefined)}>
                      Remove the pin
                    </button>
                  </dd>
                </div>
              ) : null}
              <div className="fact">
                <dt>New messages</dt>
                <dd>{CHOICE_WORDS[a.defaultSecurity]}</dd>
              </div>
              <div className={`fact ${a.passwordStored === true || a.passwordStorage === 'ask' ? '' : 'tone-bad'}`}>
                <dt>Password</dt>
                <dd data-fact="password">{passwordWords(a)}</dd>
              </div>
            </dl>
            {a.passwordStorage === 'ask' ? (
              <div className="field ask-password">
                <label htmlFor={`test-password-${a.id}`}>Password for the test</label>
                <input id={`test-password-${a.id}`} type="password" autoComplete="current-password" value={testPasswords[a.id] ?? ''} onChange={(e) => setTestPasswords((p) => ({ ...p, [a.id]: e.target.value }))} />
              </div>
            ) : null}
            <div className="actions">
              <button type="button" disabled={testing !== undefined} onClick={() => void test(a)}>
                {testing === a.id ? 'Testing…' : 'Test account'}
              </button>
              <button type="button" onClick={() => setEditing(editing === a.id ? undefined : a.id)} aria-expanded={editing === a.id}>
                Edit
              </button>
              <button type="button" onClick={() => setRemoving(a)}>
                Remove…
              </button>
            </div>
            {editing === a.id ? (
              <EditAccount
                account={a}
                onDone={() => {
                  setEditing(undefined);
                  props.onChanged();
                }}
              />
            ) : null}
            {tests[a.id] ? <TestSteps result={tests[a.id] as AccountTestResult} /> : null}
            {tests[a.id]?.refusedCertificate ? <RefusedCertificate account={a} tls={tests[a.id]?.refusedCertificate as TlsFacts} onPin={(fingerprint) => setPinning({ account: a, fingerprint })} /> : null}
            {errors[a.id] ? <ErrorBox error={errors[a.id] as ErrorData} /> : null}
          </li>
        ))}
      </ul>
      {adding ? (
        <AddAccount
          onAdded={() => {
            setAdding(false);
            props.onChanged();
          }}
          onCancel={() => setAdding(false)}
        />
      ) : (
        <div className="actions">
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add an account
          </button>
        </div>
      )}
      {pinning ? (
        <ConfirmDialog
          id="pin"
          title={`Pin this certificate for “${pinning.account.name}”?`}
          confirm="It matches: pin it"
          cancel="Don’t pin"
          onConfirm={() => void setPin(pinning.account, pinning.fingerprint)}
          onCancel={() => setPinning(undefined)}
        >
          From now on this account trusts exactly the certificate with the SHA-256 fingerprint <span className="mono">{pinning.fingerprint}</span> and refuses any other, even one a CA vouches for. Pin it only if the server’s administrator confirmed this very fingerprint to you
          another way (in person, by phone). When the server’s certificate changes, sending stops until you check and pin the new one.
        </ConfirmDialog>
      ) : null}
      {removing ? (
        <ConfirmDialog id="remove" title={`Remove “${removing.name}”?`} confirm="Remove the account" cancel="Keep it" onConfirm={() => void remove(removing)} onCancel={() => setRemoving(undefined)}>
          Its settings and its password in the keychain are deleted. Messages already in Drafts, the Outbox or Sent stay where they are.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}

/** Each step of "Test account" with what happened, and the server's posture in one line. */
function TestSteps(props: { result: AccountTestResult }) {
  const { result } = props;
  const findings = result.posture?.findings ?? [];
  const worst = ['critical', 'high', 'medium', 'low', 'info'].find((s) => findings.some((f) => f.severity === s));
  return (
    <div className={`account-test ${result.ok ? 'tone-good' : 'tone-bad'}`} role="status" aria-label={`Test of ${result.account}`}>
      <strong>{result.ok ? '✔ The account works: connected, verified TLS, logged in. No mail was sent.' : '✖ The account does not work yet.'}</strong>
      <ol>
        {result.steps.map((s) => (
          <li key={s.step} data-step={s.step} data-ok={s.ok}>
            <span aria-hidden="true">{s.ok ? '✔ ' : '✖ '}</span>
            <span className="step-name">{STEP_WORDS[s.step]}:</span> {s.detail}
          </li>
        ))}
      </ol>
      {result.posture ? (
        <p className="caveat">
          Server posture: {findings.length === 0 ? 'no findings.' : `${findings.length} ${findings.length === 1 ? 'finding' : 'findings'}, the most serious ${worst}: ${findings.map((f) => f.title).slice(0, 3).join('; ')}${findings.length > 3 ? '; …' : ''}.`}
        </p>
      ) : null}
    </div>
  );
}

/** Why a chain was refused, in words. */
const CHAIN_WORDS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed: no certificate authority vouches for it',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a certificate authority this system does not trust',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'it was issued by a certificate authority this system does not trust (or the server leaves out an intermediate)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'it was issued by a certificate authority this system does not trust',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
};

/**
 * The certificate a refused TLS session presented, in full, and the offer to pin it: never a pin without the
 * fingerprint and the details shown first, and never for a certificate that is expired or not yet valid.
 */
function RefusedCertificate(props: { account: AccountView; tls: TlsFacts; onPin: (fingerprint: string) => void }) {
  const { certificate: c, trust, chain } = props.tls;
  const dated = trust.chainError === 'CERT_HAS_EXPIRED' || trust.chainError === 'CERT_NOT_YET_VALID';
  const pinnable = !trust.chainTrusted && !dated;
  return (
    <section className="refused-certificate" aria-label="The certificate the server presented">
      <h4>The server presented a certificate Hoplight does not trust</h4>
      <p>
        Refused because {trust.chainError ? (CHAIN_WORDS[trust.chainError] ?? trust.chainError) : trust.chainTrusted ? 'its name does not match' : 'its chain could not be verified'}
        {trust.hostnameMatched ? '.' : `; it is not issued for “${trust.checkedName}”.`} Nothing was sent and no password was given.
      </p>
      <dl className="account-facts">
        <div className="fact">
          <dt>SHA-256</dt>
          <dd className="mono" data-fact="fingerprint">
            {c.fingerprintSha256}
          </dd>
        </div>
        <div className="fact">
          <dt>Subject</dt>
          <dd>{c.subject}</dd>
        </div>
        <div className="fact">
          <dt>Names</dt>
          <dd>{c.subjectAltNames.join(', ') || 'none'}</dd>
        </div>
        <div className="fact">
          <dt>Issuer</dt>
          <dd>
            {c.issuer}
            {chain.length ? ` (chain: ${chain.map((i) => i.subject).join(' → ')})` : ''}
          </dd>
        </div>
        <div className="fact">
          <dt>Valid</dt>
          <dd>
            {c.validFrom} to {c.validTo}
          </dd>
        </div>
        <div className="fact">
          <dt>Key</dt>
          <dd>
            {c.publicKey}; serial {c.serialNumber}
          </dd>
        </div>
      </dl>
      {pinnable ? (
        <>
          <p className="caveat">
            If this is a server whose administrator you know, ask them to read you its SHA-256 fingerprint (on the server: <span className="mono">openssl x509 -noout -fingerprint -sha256 -in cert.pem</span>) and compare every pair. Anyone between you and the
            server can present a certificate of their own: pin only a fingerprint that matches.
          </p>
          <div className="actions">
            <button type="button" onClick={() => props.onPin(c.fingerprintSha256)}>
              Pin this certificate…
            </button>
          </div>
        </>
      ) : (
        <p className="caveat">{dated ? 'A certificate outside its validity dates is not offered for pinning: ask the administrator to renew it.' : 'A certificate authority vouches for this certificate, but not for this name: use a name it lists (see Names) instead of pinning.'}</p>
      )}
    </section>
  );
}

const STEP_WORDS: Readonly<Record<AccountTestResult['steps'][number]['step'], string>> = { connect: 'Connect', tls: 'TLS', auth: 'Login', posture: 'Posture check' };

/** Edits the settings that change in practice, and sets the password (write-only: never shown, never read back). */
function EditAccount(props: { account: AccountView; onDone: () => void }) {
  const { account } = props;
  const [host, setHost] = useState(account.host);
  const [port, setPort] = useState(String(account.port));
  const [security, setSecurity] = useState(account.security);
  const [defaultSecurity, setDefaultSecurity] = useState<SecurityChoice>(account.defaultSecurity);
  const [user, setUser] = useState(account.user);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorData>();
  const save = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    const { passwordStored: _p, ...stored } = account;
    const result = await api.accounts.update({ ...stored, host, port: Number(port), security, user, defaultSecurity });
    if (!result.ok) return setError(result.error);
    if (password) {
      const set = await api.accounts.setPassword({ id: account.id, password });
      setPassword('');
      if (!set.ok) return setError(set.error);
    }
    props.onDone();
  };
  const id = (name: string): string => `edit-${account.id}-${name}`;
  return (
    <form className="edit-account" onSubmit={(e) => void save(e)} aria-label={`Edit ${account.name}`}>
      <div className="field">
        <label htmlFor={id('host')}>Server</label>
        <input id={id('host')} value={host} onChange={(e) => setHost(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={id('port')}>Port</label>
        <input id={id('port')} inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={id('security')}>Connection</label>
        <select id={id('security')} value={security} onChange={(e) => setSecurity(e.target.value as typeof security)}>
          <option value="implicit">Implicit TLS (usually port 465)</option>
          <option value="starttls">STARTTLS (usually port 587)</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={id('user')}>User</label>
        <input id={id('user')} value={user} onChange={(e) => setUser(e.target.value)} autoComplete="username" />
      </div>
      <div className="field">
        <label htmlFor={id('default')}>New messages</label>
        <select id={id('default')} value={defaultSecurity} onChange={(e) => setDefaultSecurity(e.target.value as SecurityChoice)}>
          {SECURITY_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.title}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={id('password')}>New password</label>
        <input id={id('password')} type="password" aria-describedby={id('password-note')} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
        <p id={id('password-note')} className="caveat field-note">Leave empty to keep the stored one. It goes to the keychain and is never shown.</p>
      </div>
      <div className="actions">
        <button type="submit" className="primary">
          Save
        </button>
        <button type="button" onClick={props.onDone}>
          Cancel
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}
