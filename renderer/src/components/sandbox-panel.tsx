import { useSandbox } from '../hooks/use-sandbox';
import { ErrorBox } from './hop-report';

/** Start and stop the local sandbox server and see what it received. */
export function SandboxPanel(props: { onUse: (settings: { host: string; port: number; user: string; caFile: string }) => void }) {
  const sandbox = useSandbox();
  const { status } = sandbox;
  return (
    <section className="sandbox" aria-label="Sandbox server">
      <h2>Sandbox server</h2>
      <p>A local submission server on this computer for trying Hoplight. Nothing leaves your machine.</p>
      {status.running ? (
        <>
          <p>
            Running: STARTTLS on {status.host}:{status.starttlsPort}, implicit TLS on {status.host}:{status.implicitPort}.
          </p>
          <button
            type="button"
            onClick={() =>
              props.onUse({ host: status.host ?? '127.0.0.1', port: status.starttlsPort ?? 0, user: status.user ?? '', caFile: status.caFile ?? '' })
            }
          >
            Use the sandbox in the composer
          </button>{' '}
          <button type="button" disabled={sandbox.busy} onClick={() => void sandbox.stop()}>
            Stop
          </button>
        </>
      ) : (
        <button type="button" disabled={sandbox.busy} onClick={() => void sandbox.start()}>
          Start the sandbox
        </button>
      )}
      {sandbox.error ? <ErrorBox error={sandbox.error} /> : null}
      {sandbox.received.length > 0 ? (
        <ul className="received" aria-label="Received messages">
          {sandbox.received.map((m) => (
            <li key={m.id}>
              {m.mailFrom} → {m.rcptTo.join(', ')} · {m.tlsProtocol ?? 'no TLS'} · {m.requireTls ? 'REQUIRETLS' : 'no REQUIRETLS'}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
