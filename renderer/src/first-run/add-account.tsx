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
  // What will be saved: the chosen candidate's settings, which the user may correct (or type when none was found).
  const [settings, setSettings] = useState<{ host: string; port: string; security: 'implicit' | 'starttls'; user: string; caFile: string }>({ host: '', port: '465', security: 'implicit', user: '', caFile: '' });
  const [manual, setManual] = useState(false);
  const choose = (s: DiscoveredServer | undefined): void => {
    setServer(s);
    if (s) setSettings((v) => ({ ...v, host: s.host, port: String(s.port), security: s.security, user: s.user ?? address }));
  };
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
    choose(result.value.candidates[0]);
    if (!result.value.candidates.length) setSettings((v) => ({ ...v, user: address }));
  };
  const add = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    const result = await api.accounts.add({
      account: { name: address, fromAddress: address, host: settings.host, port: Number(settings.port), security: settings.security, user: settings.user || address, ...(settings.caFile ? { caFile: settings.caFile } : {}), authMethod: 'auto', defaultSecurity: 'default', passwordStorage: 'keychain' },
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
        </button>{' '}
        <button type="button" onClick={() => { setManual(true); setSettings((v) => ({ ...v, user: v.user || address })); }}>
          Enter the settings myself
        </button>
      </form>
      {found && found.length === 0 ? <p role="status">No submission server was published for this domain. Enter the settings your provider gives.</p> : null}
      {(found && (found.length === 0 || server)) || manual ? (
        <form onSubmit={(e) => void add(e)}>
          {found && found.length > 0 ? <fieldset>
            <legend>Submission server</legend>
            {found.map((s) => (
              <label key={`${s.host}:${s.port}`} className="choice">
                <input type="radio" name="server" checked={s === server} onChange={() => choose(s)} />
                <span className="choice-title">
                  {s.host}:{s.port} ({s.security === 'implicit' ? 'implicit TLS' : 'STARTTLS'})
                </span>
                <span className="choice-text">found in {s.source}</span>
              </label>
            ))}
          </fieldset> : null}
          <fieldset className="server-settings">
            <legend>Settings to save (check them; you can correct any)</legend>
            <div className="field">
              <label htmlFor="account-host">Server</label>
              <input id="account-host" value={settings.host} onChange={(e) => setSettings({ ...settings, host: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="account-port">Port</label>
              <input id="account-port" inputMode="numeric" value={settings.port} onChange={(e) => setSettings({ ...settings, port: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="account-security">Connection</label>
              <select id="account-security" value={settings.security} onChange={(e) => setSettings({ ...settings, security: e.target.value as 'implicit' | 'starttls' })}>
                <option value="implicit">Implicit TLS (usually port 465)</option>
                <option value="starttls">STARTTLS (usually port 587)</option>
              </select>
            </div>
            <div className="field">
              <label htmlFor="account-user">User</label>
              <input id="account-user" value={settings.user} onChange={(e) => setSettings({ ...settings, user: e.target.value })} autoComplete="username" />
            </div>
            <div className="field">
              <label htmlFor="account-ca">Extra CA file</label>
              <input id="account-ca" value={settings.caFile} placeholder="optional: only if your administrator gave you one" onChange={(e) => setSettings({ ...settings, caFile: e.target.value })} />
            </div>
          </fieldset>
          <div className="field">
            <label htmlFor="account-password">Password</label>
            <input id="account-password" aria-describedby="account-password-note" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" />
            <p id="account-password-note" className="caveat field-note">Kept in your system’s keychain, never in a file; Hoplight never shows it again.</p>
          </div>
          <button type="submit" className="primary" disabled={busy || !password || !settings.host}>
            Add the account
          </button>
        </form>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
    </section>
  );
}
