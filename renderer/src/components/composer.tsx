import { useState, type FormEvent, type ReactNode } from 'react';
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

/** A labelled form control; the label points at the control by id, so its name never includes what was typed. */
function Field(props: { label: string; id: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={props.wide ? 'field wide' : 'field'}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
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
            <Field label="Host" id="composer-host"><input id="composer-host" name="host" {...field('host')} /></Field>
            <Field label="Port" id="composer-port"><input id="composer-port" name="port" inputMode="numeric" {...field('port')} /></Field>
            <Field label="Connection" id="composer-connection">
              <select id="composer-connection" name="connection" value={draft.security} onChange={(e) => onChange({ ...draft, security: e.target.value as ComposerDraft['security'] })}>
                <option value="starttls">STARTTLS (usually port 587)</option>
                <option value="implicit">Implicit TLS (usually port 465)</option>
              </select>
            </Field>
            <Field label="User" id="composer-user"><input id="composer-user" name="user" autoComplete="off" {...field('user')} /></Field>
            <Field label="Password" id="composer-password">
              {draft.useSandboxPassword ? (
                <input id="composer-password" name="password" disabled value="(the sandbox’s password, held by Hoplight)" />
              ) : (
                <input id="composer-password" name="password" type="password" autoComplete="off" {...field('password')} />
              )}
            </Field>
            <Field label="Extra CA file" id="composer-ca"><input id="composer-ca" name="ca" {...field('caFile')} /></Field>
            <Field label="Pinned SHA-256" id="composer-pin"><input id="composer-pin" name="pin" {...field('pin')} /></Field>
          </div>
        ) : null}
      </fieldset>
      <div className="grid message">
        <Field label="From" id="composer-from"><input id="composer-from" name="from" {...field('from')} /></Field>
        <Field label="To" id="composer-to"><input id="composer-to" name="to" {...field('to')} /></Field>
        <Field label="Cc" id="composer-cc"><input id="composer-cc" name="cc" {...field('cc')} /></Field>
        <Field label="Bcc" id="composer-bcc"><input id="composer-bcc" name="bcc" {...field('bcc')} /></Field>
        <Field wide label="Subject" id="composer-subject"><input id="composer-subject" name="subject" {...field('subject')} /></Field>
      </div>
      <div className="field body">
        <label htmlFor="composer-text">Message</label>
        <textarea id="composer-text" name="text" rows={10} {...field('text')} />
      </div>
      <SecurityChoicePicker value={draft.choice} onChange={(choice) => onChange({ ...draft, choice })} />
      <button type="submit" className="primary" disabled={props.sending}>
        {props.sending ? 'Sending…' : 'Send'}
      </button>
    </form>
  );
}
