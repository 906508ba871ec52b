import type { SandboxMessageEvent } from '../../../shared/types/sandbox';

/** What the sandbox received this session. */
export function ReceivedList(props: { received: readonly SandboxMessageEvent[] }) {
  if (props.received.length === 0) return null;
  return (
    <section className="received" aria-label="Received by the sandbox">
      <h2 className="section-title">Received by the sandbox</h2>
      <ul aria-label="Received messages">
        {props.received.map((m) => (
          <li key={m.id}>
            {m.mailFrom} → {m.rcptTo.join(', ')} · {m.tlsProtocol ?? 'no TLS'} · {m.requireTls ? 'REQUIRETLS' : 'no REQUIRETLS'} · <span className="mono">{m.emlPath}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
