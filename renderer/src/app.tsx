import { useEffect, useState } from 'react';
import { useAccounts } from './accounts/use-accounts';
import { Composer } from './compose/composer';
import type { Draft as StoredDraft, MailboxProblem } from '../../shared/types/draft';
import { api } from './api';
import { SANDBOX_SENDER, draftToRequest, emptyDraft, fromStored, type Draft } from './compose/draft';
import { DraftsBar } from './compose/drafts-bar';
import { useAutosave } from './compose/use-autosave';
import { newOperationId } from './ui/operation-id';
import { SendProgress } from './compose/send-progress';
import { useSender } from './compose/use-sender';
import { FirstRun } from './first-run/first-run';
import { HopView } from './hop-view/hop-view';
import { ReceivedList } from './sandbox/received-list';
import { useSandbox } from './sandbox/use-sandbox';
import { ErrorBox } from './ui/error-box';
import { HelpOverlay } from './ui/help-overlay';

/** The app's main screen: first run, or the composer with its forecasts, progress and the per-hop view. */
export function App() {
  const { accounts, reload } = useAccounts();
  const sandbox = useSandbox();
  const sender = useSender();
  const [draft, setDraft] = useState<Draft>();
  const [help, setHelp] = useState(false);
  const [stored, setStored] = useState<{ drafts: readonly StoredDraft[]; problems: readonly MailboxProblem[] }>();
  const autosave = useAutosave(draft, stored !== undefined);

  // What was being written when the app last closed (or crashed) comes back first.
  useEffect(() => {
    void api.drafts.list(undefined).then((result) => {
      const value = result.ok ? result.value : { drafts: [], problems: [] };
      setStored(value);
      const latest = value.drafts[0];
      if (latest) setDraft(fromStored(latest));
    });
  }, []);

  // Otherwise the first account (or the sandbox) is the sender until the user picks another.
  useEffect(() => {
    if (draft || !accounts || !stored) return;
    const first = accounts[0];
    if (first) setDraft(emptyDraft(first.id, first.defaultSecurity));
    else if (sandbox.status.running) setDraft(emptyDraft(SANDBOX_SENDER, 'require-tls'));
  }, [accounts, sandbox.status.running, draft, stored]);

  // An accepted message leaves Drafts; what stays in the composer is a new draft, saved only once edited.
  useEffect(() => {
    const result = sender.state.status === 'done' ? sender.state.result : undefined;
    if (!result || result.report.outcome !== 'accepted') return;
    setDraft((current) => {
      if (!current) return current;
      void api.drafts.delete({ id: current.id });
      return { ...current, id: newOperationId() };
    });
  }, [sender.state]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      if (event.key === '?' && !(event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement || event.target instanceof HTMLSelectElement)) setHelp(true);
      if (event.key === 'Escape') setHelp(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const trySandbox = async (): Promise<void> => {
    await sandbox.start();
    setDraft({
      ...emptyDraft(SANDBOX_SENDER, 'require-tls'),
      to: [{ text: 'friend@example.org', address: 'friend@example.org', domain: 'example.org' }],
      subject: 'My first REQUIRETLS message',
      text: 'Hello! This message was sent with “Require TLS on every hop”.\n',
    });
  };

  const firstRun = accounts !== undefined && accounts.length === 0 && !sandbox.status.running && !draft;
  const sending = sender.state.status === 'sending';
  return (
    <div className="app">
      <header className="app-header">
        <div>
          <h1>Hoplight</h1>
          <p>Mail whose transport security you can see and insist on.</p>
        </div>
        <button type="button" className="help-button" onClick={() => setHelp(true)} aria-haspopup="dialog">
          Keyboard shortcuts <kbd>?</kbd>
        </button>
      </header>
      <main>
        {accounts === undefined ? <p role="status">Loading your accounts…</p> : null}
        {firstRun ? (
          <FirstRun
            onTrySandbox={trySandbox}
            {...(sandbox.error ? { sandboxError: sandbox.error } : {})}
            busy={sandbox.busy}
            onAdded={(account) => {
              void reload();
              setDraft(emptyDraft(account.id, account.defaultSecurity));
            }}
          />
        ) : null}
        {!firstRun && draft && accounts ? (
          <>
            <DraftsBar drafts={stored?.drafts ?? []} problems={stored?.problems ?? []} current={draft.id} {...(autosave.savedAt ? { savedAt: autosave.savedAt } : {})} {...(autosave.error ? { error: autosave.error } : {})} onOpen={(d) => setDraft(fromStored(d))}
              onNew={() => {
                // The draft being written stays in Drafts; a fresh one starts from the same sender and its default.
                const account = accounts.find((a) => a.id === draft.sender);
                setDraft(emptyDraft(draft.sender, account?.defaultSecurity ?? draft.choice));
                void api.drafts.list(undefined).then((r) => r.ok && setStored(r.value));
              }}
            />
            <Composer draft={draft} onChange={setDraft} accounts={accounts} sandbox={sandbox.status} sending={sending} onStartSandbox={() => void sandbox.start()} onSend={() => void sender.send(draftToRequest(draft, accounts, sandbox.status))} />
            {sending ? <SendProgress step={sender.state.step} cancelling={sender.state.cancelling === true} onCancel={sender.cancel} /> : null}
            {sender.state.status === 'error' && sender.state.error ? <ErrorBox error={sender.state.error} /> : null}
            {sender.state.status === 'done' && sender.state.result ? <HopView result={sender.state.result} /> : null}
            <ReceivedList received={sandbox.received} />
          </>
        ) : null}
      </main>
      {help ? <HelpOverlay onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
