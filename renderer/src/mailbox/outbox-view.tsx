import { useState } from 'react';
import type { OutboxSendResult } from '../../../shared/ipc/contract';
import type { MailboxProblem } from '../../../shared/types/draft';
import type { ErrorData } from '../../../shared/types/errors';
import type { OutboxEntry } from '../../../shared/types/mailbox';
import { api } from '../api';
import { CHOICE_WORDS } from '../compose/security-choice';
import { HopView } from '../hop-view/hop-view';
import { ConfirmDialog } from '../ui/confirm-dialog';
import { ErrorBox } from '../ui/error-box';
import { newOperationId } from '../ui/operation-id';
import { FilingNotice } from './filing-notice';

/** The Outbox: what waits for its next try, and what may have been delivered (re-sent only after a warning). */
export function OutboxView(props: { entries: readonly OutboxEntry[]; problems: readonly MailboxProblem[]; onEditDraft: (id: string) => void }) {
  const [busy, setBusy] = useState<string>();
  const [confirming, setConfirming] = useState<OutboxEntry>();
  const [last, setLast] = useState<{ id: string; value?: OutboxSendResult; error?: ErrorData }>();
  // Typed for accounts that ask at each send: held here only until the retry is made, then forgotten.
  const [passwords, setPasswords] = useState<Record<string, string>>({});
  const asksPassword = (entry: OutboxEntry): boolean => entry.attempts.at(-1)?.error?.hintId === 'password-ask' || (last?.id === entry.id && last.error?.hintId === 'password-ask');
  const retry = async (entry: OutboxEntry, duplicateOk: boolean): Promise<void> => {
    setConfirming(undefined);
    setBusy(entry.id);
    const password = passwords[entry.id];
    const result = await api.outbox.retry({ id: entry.id, operationId: newOperationId(), ...(duplicateOk ? { duplicateOk } : {}), ...(password ? { password } : {}) });
    setPasswords(({ [entry.id]: _gone, ...rest }) => rest);
    setBusy(undefined);
    setLast(result.ok ? { id: entry.id, value: result.value } : { id: entry.id, error: result.error });
  };
  const toDrafts = async (entry: OutboxEntry): Promise<void> => {
    const result = await api.outbox.toDrafts({ id: entry.id });
    if (result.ok) props.onEditDraft(entry.id);
    else setLast({ id: entry.id, error: result.error });
  };
  return (
    <section className="mailbox-view" aria-labelledby="outbox-title">
      <h2 id="outbox-title">Outbox</h2>
      <p className="caveat">
        Messages that could not be sent yet. Each is tried again on its own, always with the security it was sent with; to change that, move it back to Drafts.
      </p>
      {props.problems.map((p) => (
        <p key={p.movedTo} className="caveat" role="alert">
          A damaged Outbox file was set aside, not deleted: {p.movedTo} ({p.reason}).
        </p>
      ))}
      {props.entries.length === 0 ? <p className="empty">The Outbox is empty: nothing is waiting to be sent.</p> : null}
      <ul className="message-list">
        {props.entries.map((entry) => {
          const lastTry = entry.attempts.at(-1);
          return (
            <li key={entry.id} className={`message-row state-${entry.state}`} data-id={entry.id} data-state={entry.state}>
              <div className="message-row-head">
                <strong>{entry.draft.subject || '(no subject)'}</strong>
                <span className={`badge ${entry.state === 'uncertain' ? 'tone-bad' : 'tone-neutral'}`}>
                  {entry.state === 'uncertain' ? '⚠ May have been delivered' : entry.state === 'sending' ? '● Sending now' : '↻ Waiting to retry'}
                </span>
              </div>
              <p className="message-meta">
                To {[...entry.draft.to, ...entry.draft.cc, ...entry.draft.bcc].join(', ')} · {CHOICE_WORDS[entry.draft.securityChoice]} (kept on every try)
              </p>
              <p className="message-meta">
                Queued {new Date(entry.queuedAt).toLocaleString()} · {entry.attempts.length} {entry.attempts.length === 1 ? 'try' : 'tries'}
                {entry.state === 'waiting' && entry.nextAttemptAt ? ` · next try ${new Date(entry.nextAttemptAt).toLocaleTimeString()}` : ''}
              </p>
              {lastTry?.error ? <p className="message-error">Last try: {lastTry.error.message}</p> : null}
              {entry.state === 'uncertain' ? (
                <p className="message-error">
                  The whole message reached the server, but its verdict never came: it may have been delivered. It is not sent again unless you ask.
                </p>
              ) : null}
              {asksPassword(entry) && entry.state !== 'sending' ? (
                <div className="field ask-password">
                  <label htmlFor={`outbox-password-${entry.id}`}>Password for this try</label>
                  <input
                    id={`outbox-password-${entry.id}`}
                    type="password"
                    autoComplete="current-password"
                    aria-describedby={`outbox-password-note-${entry.id}`}
                    value={passwords[entry.id] ?? ''}
                    onChange={(e) => setPasswords((p) => ({ ...p, [entry.id]: e.target.value }))}
                  />
                  <p id={`outbox-password-note-${entry.id}`} className="caveat field-note">
                    The account asks for its password at each send. It is held in memory while the message is in the Outbox, and never stored.
                  </p>
                </div>
              ) : null}
              <div className="actions">
                {entry.state === 'waiting' ? (
                  <button type="button" className="primary" disabled={busy !== undefined} onClick={() => void retry(entry, false)}>
                    {busy === entry.id ? 'Retrying…' : 'Retry now'}
                  </button>
                ) : null}
                {entry.state === 'uncertain' ? (
                  <button type="button" disabled={busy !== undefined} onClick={() => setConfirming(entry)}>
                    Send again…
                  </button>
                ) : null}
                {entry.state !== 'sending' ? (
                  <button type="button" disabled={busy !== undefined} onClick={() => void toDrafts(entry)}>
                    Move to Drafts
                  </button>
                ) : null}
              </div>
              {last?.id === entry.id && last.error ? <ErrorBox error={last.error} /> : null}
            </li>
          );
        })}
      </ul>
      {last?.value ? <FilingNotice filing={last.value.filing} /> : null}
      {last?.value?.result ? <HopView result={last.value.result} /> : null}
      {confirming ? (
        <ConfirmDialog id="dup" title="Send it again?" confirm="Send again, even if it arrives twice" cancel="Keep it in the Outbox" onConfirm={() => void retry(confirming, true)} onCancel={() => setConfirming(undefined)}>
          “{confirming.draft.subject || '(no subject)'}” may already have been delivered: the whole message reached the server, but its answer never came. Sending it again
          may deliver it twice.
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
