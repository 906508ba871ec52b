import { useState, type FormEvent } from 'react';
import type { AccountView, DiscoveredServer } from '../../../shared/types/account';
import type { ErrorData } from '../../../shared/types/errors';
import { api } from '../api';
import { ErrorBox } from '../ui/error-box';

/** Adds an account from an e-mail address: discovery first (SRV, autoconfig), then the password to the keychain. */
export function AddAccount(props: { onAdded: (account: AccountView) => void; onCancel: () => void }) {
  const [address, setAddress] = useState('');
  const [found, setFound] = useState<readonly DiscoveredServer[]>();
  const [server, setServer] = useState<DiscoveredServer>();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorData>();
  const [busy, setBusy] = useState(false);
  const discover = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const result = await api.accounts.discover({ address });
    setBusy(false);
    if (!result.ok) return setError(result.error);
    setError(undefined);
    setFound(result.value.candidates);
    setServer(result.value.candidates[0]);
  };
  const add = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!server) return;
    setBusy(true);
    const result = await api.accounts.add({
      account: { name: address, fromAddress: address, host: server.host, port: server.port, security: server.security, user: server.user ?? address, authMethod: 'auto', defaultSecurity: 'default', passwordStorage: 'keychain' },
      password,
    });
    setBusy(false);
    setPassword('');
    if (!result.ok) return setError(result.error);
    props.onAdded(result.value);
  };
  return (
    <section className="add-account" aria-label="Add your account">
      <h2>Add your account</h2>
      <form onSubmit={(e) => void discover(e)}>
        <div className="field">
          <label htmlFor="discover-address">Your e-mail address</label>
          <input id="discover-address" type="email" value={address} onChange={(e) => setAddress(e.target.value)} autoComplete="email" />
        </div>
        <button type="submit" disabled={busy || !address.includes('@')}>
          Find my server
        </button>{' '}
        <button type="button" onClick={props.onCancel}>
          Back
        </button>
      </form>
      {found && found.length === 0 ? <p role="status">No submission server was published for this domain. Ask your provider for its settings.</p> : null}
      {found && found.length > 0 && server ? (
        <form onSubmit={(e) => void add(e)}>
          <fieldset>
            <legend>Submission server</legend>
            {found.map((s) => (
              <label key={`${s.host}:${s.port}`} className="choice">
                <input type="radio" name="server" checked={s === server} onChange={() => setServer(s)} />
                <span className="choice-title">
                  {s.host}:{s.port} ({s.security === 'implicit' ? 'implicit TLS' : 'STARTTLS'})
                </span>
                <span className="choice-text">found in {s.source}</span>
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor="account-password">Password (kept in your system’s keychain, never in a file)</label>
            <input id="account-password" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
          </div>
          <button type="submit" className="primary" disabled={busy || !password}>
            Add the account
          </button>
        </form>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}
