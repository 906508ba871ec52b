import { useState } from 'react';
import { Composer, EMPTY_DRAFT, type ComposerDraft } from './components/composer';
import { ErrorBox, HopReport } from './components/hop-report';
import { SandboxPanel } from './components/sandbox-panel';
import { useSend } from './hooks/use-send';

/** The app: sandbox, composer and the report of the last send. */
export function App() {
  const [draft, setDraft] = useState<ComposerDraft>(EMPTY_DRAFT);
  const [sendState, send] = useSend();
  return (
    <main>
      <header>
        <h1>Hoplight</h1>
        <p>Mail submission whose transport security you can see and insist on.</p>
      </header>
      <SandboxPanel
        onUse={(s) =>
          setDraft({ ...draft, host: s.host, port: String(s.port), security: 'starttls', user: s.user, password: '', useSandboxPassword: true, caFile: s.caFile, pin: '' })
        }
      />
      <Composer draft={draft} onChange={setDraft} onSend={(request) => void send(request)} sending={sendState.status === 'running'} />
      {sendState.status === 'error' && sendState.error ? <ErrorBox error={sendState.error} /> : null}
      {sendState.status === 'done' && sendState.data ? <HopReport report={sendState.data} /> : null}
    </main>
  );
}
