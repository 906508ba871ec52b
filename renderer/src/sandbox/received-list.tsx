import { useState } from 'react';
import type { DeliveredPath } from '../../../shared/types/delivered';
import type { ErrorData } from '../../../shared/types/errors';
import type { SandboxMessageEvent } from '../../../shared/types/sandbox';
import { api } from '../api';
import type { SentMessage } from '../../../shared/types/mailbox';
import { HopView } from '../hop-view/hop-view';
import { DeliveredPathView } from '../mailbox/delivered-path-view';
import { ErrorBox } from '../ui/error-box';

/** What the sandbox received this session; each message can be opened as it arrived. */
export function ReceivedList(props: { received: readonly SandboxMessageEvent[] }) {
  const [opened, setOpened] = useState<{ id: string; raw: string; truncated: boolean }>();
  const [error, setError] = useState<ErrorData>();
  const [travelled, setTravelled] = useState<DeliveredPath>();
  // The Sent message it matches (by Message-ID): the report made when it was sent, beside what the copy records.
  const [sent, setSent] = useState<{ message: SentMessage; text: string }>();
  if (props.received.length === 0) return null;
  const analyze = async (path: string): Promise<void> => {
    const result = await api.sent.analyze({ path });
    if (!result.ok) return setError(result.error);
    setError(undefined);
    if (!result.value.path) return;
    setTravelled(result.value.path);
    const opened = result.value.sentId ? await api.sent.open({ id: result.value.sentId }) : undefined;
    setSent(opened?.ok ? opened.value : undefined);
  };
  const open = async (id: string): Promise<void> => {
    const result = await api.sandbox.readMessage({ id });
    if (result.ok) {
      setOpened(result.value);
      setError(undefined);
    } else setError(result.error);
  };
  return (
    <section className="received" aria-label="Received by the sandbox">
      <h2 className="section-title">Received by the sandbox</h2>
      <p className="caveat">The sandbox keeps every message on this computer; nothing is relayed further.</p>
      <ul aria-label="Received messages">
        {props.received.map((m) => (
          <li key={m.id}>
            {m.mailFrom} → {m.rcptTo.join(', ')} · {m.tlsProtocol ?? 'no TLS'} · {m.requireTls ? 'REQUIRETLS' : 'no REQUIRETLS'} · <span className="mono">{m.emlPath}</span>{' '}
            <button type="button" className="small" onClick={() => void open(m.id)} aria-label={`Open the message from ${m.mailFrom}`}>
              Open
            </button>{' '}
            <button type="button" className="small" onClick={() => void analyze(m.emlPath)} aria-label={`How it travelled: the message from ${m.mailFrom}`}>
              How it travelled
            </button>
          </li>
        ))}
      </ul>
      {error ? <ErrorBox error={error} /> : null}
      {travelled ? (
        <div className="opened-message">
          <DeliveredPathView path={travelled} />
          {sent ? <HopView result={{ report: sent.message.report, hops: sent.message.hops, text: sent.text }} title={`When it was sent: “${sent.message.draft.subject || '(no subject)'}”, ${new Date(sent.message.sentAt).toLocaleString()}`} /> : null}
          <div className="actions">
            <button
              type="button"
              className="small"
              onClick={() => {
                setTravelled(undefined);
                setSent(undefined);
              }}
            >
              Close how it travelled
            </button>
          </div>
        </div>
      ) : null}
      {opened ? (
        <div className="opened-message">
          <div className="hop-head">
            <h3>The message as the sandbox received it</h3>
            <button type="button" className="small" onClick={() => setOpened(undefined)}>
              Close
            </button>
          </div>
          <pre className="transcript" aria-label="Raw message" tabIndex={0}>
            {opened.raw}
            {opened.truncated ? '\n[… the rest is not shown]' : ''}
          </pre>
        </div>
      ) : null}
    </section>
  );
}
