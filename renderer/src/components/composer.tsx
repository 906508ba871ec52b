import { useState, type FormEvent } from 'react';
import type { InvokeContract } from '../../../shared/ipc/contract';
import type { SecurityChoice } from '../../../shared/types/security';
import { SecurityChoicePicker } from './security-choice';

type SendRequest = InvokeContract['send:message']['request'];

/** What the composer's form holds; kept across sends and failures so no typed text is ever lost. */
export interface ComposerDraft {
  host: string;
  port: string;
  security: 'starttls' | 'implicit';
  user: string;
  password: string;
  useSandboxPassword: boolean;
  caFile: string;
  pin: string;
  from: string;
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  text: string;
  choice: SecurityChoice;
}

/** An empty draft. */
export const EMPTY_DRAFT: ComposerDraft = {
  host: '',
  port: '587',
  security: 'starttls',
  user: '',
  password: '',
  useSandboxPassword: false,
  caFile: '',
  pin: '',
  from: '',
  to: '',
  cc: '',
  bcc: '',
  subject: '',
  text: '',
  choice: 'default',
};

const list = (value: string): string[] =>
  value
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** Turns the draft into a send request; main validates it again and names any bad field. */
export function draftToRequest(draft: ComposerDraft): SendRequest {
  return {
    server: {
      host: draft.host.trim(),
      port: Number(draft.port),
      security: draft.security,
      ...(draft.user ? { user: draft.user } : {}),
      ...(draft.caFile ? { caFile: draft.caFile } : {}),
      ...(draft.pin ? { pinSha256: draft.pin } : {}),
    },
    message: { from: draft.from, to: list(draft.to), cc: list(draft.cc), bcc: list(draft.bcc), subject: draft.subject, text: draft.text },
    security: draft.choice,
    ...(draft.useSandboxPassword ? { useSandboxPassword: true } : draft.user ? { password: draft.password } : {}),
  };
}

/** The message form: server, message and the security choice. */
export function Composer(props: { draft: ComposerDraft; onChange: (draft: ComposerDraft) => void; onSend: (request: SendRequest) => void; sending: boolean }) {
  const { draft, onChange } = props;
  const [showServer, setShowServer] = useState(true);
  const field = <K extends keyof ComposerDraft>(key: K) => ({
    value: draft[key] as string,
    onChange: (e: { target: { value: string } }) => onChange({ ...draft, [key]: e.target.value }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSend(draftToRequest(draft));
  };
  return (
    <form className="composer" onSubmit={submit} aria-label="Compose">
      <fieldset>
        <legend>
          <button type="button" className="link" onClick={() => setShowServer(!showServer)}>
            {showServer ? '▾' : '▸'} Submission server
          </button>
        </legend>
        {showServer ? (
          <div className="grid">
            <label>Host<input name="host" {...field('host')} /></label>
            <label>Port<input name="port" inputMode="numeric" {...field('port')} /></label>
            <label>
              Connection
              <select name="connection" value={draft.security} onChange={(e) => onChange({ ...draft, security: e.target.value as ComposerDraft['security'] })}>
                <option value="starttls">STARTTLS (usually port 587)</option>
                <option value="implicit">Implicit TLS (usually port 465)</option>
              </select>
            </label>
            <label>User<input name="user" autoComplete="off" {...field('user')} /></label>
            <label>
              Password
              {draft.useSandboxPassword ? (
                <input name="password" disabled value="(the sandbox’s password, held by Hoplight)" />
              ) : (
                <input name="password" type="password" autoComplete="off" {...field('password')} />
              )}
            </label>
            <label>Extra CA file<input name="ca" {...field('caFile')} /></label>
            <label>Pinned SHA-256<input name="pin" {...field('pin')} /></label>
          </div>
        ) : null}
      </fieldset>
      <div className="grid message">
        <label>From<input name="from" {...field('from')} /></label>
        <label>To<input name="to" {...field('to')} /></label>
        <label>Cc<input name="cc" {...field('cc')} /></label>
        <label>Bcc<input name="bcc" {...field('bcc')} /></label>
        <label className="wide">Subject<input name="subject" {...field('subject')} /></label>
      </div>
      <label className="body">
        Message
        <textarea name="text" rows={10} {...field('text')} />
      </label>
      <SecurityChoicePicker value={draft.choice} onChange={(choice) => onChange({ ...draft, choice })} />
      <button type="submit" className="primary" disabled={props.sending}>
        {props.sending ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}
