import { useState, type DragEvent } from 'react';
import type { DeliveredPath } from '../../../shared/types/delivered';
import type { MailboxProblem } from '../../../shared/types/draft';
import type { ErrorData } from '../../../shared/types/errors';
import type { SentMessage, SentSummary } from '../../../shared/types/mailbox';
import { api } from '../api';
import { CHOICE_WORDS } from '../compose/security-choice';
import { HopView } from '../hop-view/hop-view';
import { ErrorBox } from '../ui/error-box';
import { DeliveredPathView } from './delivered-path-view';
import type { SentSearch } from './use-mailbox';

/** Sent: searchable by recipient, subject and date; each message opens with its per-hop view and report. */
export function SentView(props: {
  messages: readonly SentSummary[];
  problems: readonly MailboxProblem[];
  search: SentSearch;
  onSearch: (search: SentSearch) => void;
  onSendAgain: (message: SentMessage) => void;
}) {
  const [open, setOpen] = useState<{ message: SentMessage; text: string }>();
  const [error, setError] = useState<ErrorData>();
  const show = async (id: string): Promise<void> => {
    const result = await api.sent.open({ id });
    if (result.ok) {
      setOpen(result.value);
      setError(undefined);
    } else setError(result.error);
  };
  const [delivered, setDelivered] = useState<{ file?: string; path: DeliveredPath }>();
  const [dragging, setDragging] = useState(false);
  // A delivered copy, picked or dropped: its path, beside the report of the matching Sent message when there is one.
  const analyze = async (path?: string): Promise<void> => {
    const result = await api.sent.analyze(path === undefined ? {} : { path });
    if (!result.ok) return setError(result.error);
    setError(undefined);
    if (!result.value.path) return;
    setDelivered({ ...(result.value.file ? { file: result.value.file } : {}), path: result.value.path });
    if (result.value.sentId) await show(result.value.sentId);
  };
  const drop = async (event: DragEvent): Promise<void> => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    const path = file ? api.pathOfDroppedFile(file) : undefined;
    if (path) await analyze(path);
  };
  const { search } = props;
  const filtered = Boolean(search.text || search.since || search.until);
  return (
    <section className="mailbox-view" aria-labelledby="sent-title" onDragOver={(e) => (e.preventDefault(), setDragging(true))} onDragLeave={() => setDragging(false)} onDrop={(e) => void drop(e)}>
      <h2 id="sent-title">Sent</h2>
      <div className={`analyze-drop${dragging ? ' dragging' : ''}`}>
        <button type="button" onClick={() => void analyze()}>
          Open a delivered copy…
        </button>
        <span className="caveat"> or drop an .eml here: see how a message actually travelled, hop by hop</span>
      </div>
      <form className="sent-search" role="search" aria-label="Search Sent" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input type="search" value={search.text} placeholder="Recipient, subject or YYYY-MM-DD" onChange={(e) => props.onSearch({ ...search, text: e.target.value })} />
        </label>
        <label>
          From
          <input type="date" value={search.since} onChange={(e) => props.onSearch({ ...search, since: e.target.value })} />
        </label>
        <label>
          To
          <input type="date" value={search.until} onChange={(e) => props.onSearch({ ...search, until: e.target.value })} />
        </label>
      </form>
      {props.problems.map((p) => (
        <p key={p.movedTo} className="caveat" role="alert">
          A damaged Sent file was set aside, not deleted: {p.movedTo} ({p.reason}).
        </p>
      ))}
      <p className="caveat" role="status">
        {props.messages.length === 0 ? (filtered ? 'No sent message matches.' : 'Nothing sent yet.') : `${props.messages.length} ${props.messages.length === 1 ? 'message' : 'messages'}${filtered ? ' match' : ''}.`}
      </p>
      <ul className="message-list">
        {props.messages.map((m) => (
          <li key={m.id} className={`message-row tone-${m.tone}${open?.message.id === m.id ? ' selected' : ''}`} data-id={m.id}>
            <button type="button" className="message-open" onClick={() => void show(m.id)} aria-expanded={open?.message.id === m.id}>
              <span className="message-row-head">
                <strong>{m.subject || '(no subject)'}</strong>
                <span className="message-date">{new Date(m.sentAt).toLocaleString()}</span>
              </span>
              <span className="message-meta">
                To {m.recipients.join(', ')} · {CHOICE_WORDS[m.securityChoice]}
                {m.requireTlsAccepted ? ' · REQUIRETLS accepted by your server' : ''}
              </span>
              <span className="message-meta">
                <span aria-hidden="true">{m.tone === 'good' ? '✔ ' : m.tone === 'bad' ? '✖ ' : '● '}</span>
                {m.headline}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {error ? <ErrorBox error={error} /> : null}
      {delivered ? <DeliveredPathView path={delivered.path} {...(delivered.file ? { file: delivered.file } : {})} /> : null}
      {open ? (
        <div className="opened-message">
          <div className="actions">
            <button type="button" onClick={() => props.onSendAgain(open.message)}>
              Send again (as a new draft)
            </button>
            <button type="button" onClick={() => setOpen(undefined)}>
              Close
            </button>
          </div>
          <HopView result={{ report: open.message.report, hops: open.message.hops, text: open.text }} title={`“${open.message.draft.subject || '(no subject)'}”, sent ${new Date(open.message.sentAt).toLocaleString()}`} />
        </div>
      ) : null}
    </section>
  );
}
