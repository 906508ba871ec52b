import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AccountView } from '../../../shared/types/account';
import type { SandboxStatus } from '../../../shared/types/sandbox';
import { AddressField } from './address-field';
import { Attachments } from './attachments';
import { SANDBOX_SENDER, draftDomains, type Draft } from './draft';
import { ForecastChips } from './forecast-chips';
import { SecurityChoicePicker } from './security-choice';
import { useForecasts } from './use-forecasts';

/** The composer: sender, recipients as chips, the security choice, live forecasts per recipient domain. */
export function Composer(props: {
  draft: Draft;
  onChange: (draft: Draft) => void;
  accounts: readonly AccountView[];
  sandbox: SandboxStatus;
  /** `password`: typed for an account that asks at each send (never part of the draft, never saved). */
  onSend: (password?: string) => void;
  sending: boolean;
  onStartSandbox: () => void;
}) {
  const { draft, onChange, accounts } = props;
  const domains = draftDomains(draft);
  const forecasts = useForecasts(domains);
  const subject = useRef<HTMLInputElement>(null);
  useEffect(() => subject.current?.focus(), []);
  const set = (patch: Partial<Draft>): void => onChange({ ...draft, ...patch });
  const account = accounts.find((a) => a.id === draft.sender);
  const asks = account?.passwordStorage === 'ask';
  // Held in this component's state only: not in the draft, so never autosaved.
  const [password, setPassword] = useState('');
  const pickSender = (sender: string): void => {
    setPassword('');
    const account = accounts.find((a) => a.id === sender);
    // The account's default security choice preselects the control.
    set({ sender, choice: account?.defaultSecurity ?? draft.choice });
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (props.sending) return;
    props.onSend(asks && password ? password : undefined);
    setPassword('');
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit(event);
  };
  const noRecipients = draft.to.length + draft.cc.length + draft.bcc.length === 0;
  return (
    <form className="composer" aria-label="New message" onSubmit={submit} onKeyDown={onKeyDown}>
      {draft.returned ? (
        <div className="returned" role="alert" data-code={draft.returned.code}>
          <strong>
            <span aria-hidden="true">⚠ </span>This message was not sent ({new Date(draft.returned.at).toLocaleString()})
          </strong>
          <p>{draft.returned.reason}</p>
          {draft.returned.hint ? <p className="hint">{draft.returned.hint}</p> : null}
          <p className="caveat">It is kept in Drafts with its security choice. Change what needs changing and send it again.</p>
        </div>
      ) : null}
      <div className="field from">
        <label htmlFor="sender">From</label>
        <select id="sender" value={draft.sender} onChange={(e) => pickSender(e.target.value)}>
          {props.sandbox.running || draft.sender === SANDBOX_SENDER ? (
            <option value={SANDBOX_SENDER}>Sandbox (this computer only){props.sandbox.running ? '' : ', stopped'} — you@sandbox.hoplight.test</option>
          ) : null}
          {accounts.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} — {a.fromName ? `${a.fromName} <${a.fromAddress}>` : a.fromAddress}
            </option>
          ))}
        </select>
        {draft.sender === SANDBOX_SENDER && !props.sandbox.running ? (
          <button type="button" className="small start-sandbox" onClick={props.onStartSandbox}>
            Start the sandbox
          </button>
        ) : null}
      </div>
      <AddressField label="To" value={draft.to} onChange={(to) => set({ to })} />
      <AddressField label="Cc" value={draft.cc} onChange={(cc) => set({ cc })} />
      <AddressField label="Bcc" value={draft.bcc} onChange={(bcc) => set({ bcc })} />
      <div className="field">
        <label htmlFor="subject">Subject</label>
        <input id="subject" ref={subject} value={draft.subject} onChange={(e) => set({ subject: e.target.value })} />
      </div>
      <div className="field body">
        <label htmlFor="body">Message</label>
        <textarea id="body" rows={8} value={draft.text} onChange={(e) => set({ text: e.target.value })} />
      </div>
      <Attachments value={draft.attachments} onChange={(attachments) => set({ attachments })} />
      <SecurityChoicePicker value={draft.choice} onChange={(choice) => set({ choice })} />
      <ForecastChips domains={domains} forecasts={forecasts} choice={draft.choice} />
      {asks ? (
        <div className="field ask-password">
          <label htmlFor="send-password">Password for {account.name}</label>
          <input id="send-password" type="password" autoComplete="current-password" aria-describedby="send-password-note" value={password} onChange={(e) => setPassword(e.target.value)} />
          <p id="send-password-note" className="caveat field-note">
            This account asks at each send. The password is used for this message only (and its retries while Hoplight runs); it is never stored.
          </p>
        </div>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={props.sending || noRecipients}>
          Send
        </button>
        <span className="shortcut">
          or <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
        </span>
      </div>
    </form>
  );
}
