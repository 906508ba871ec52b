import { useEffect, useState } from 'react';
import { AccountsView } from './accounts/accounts-view';
import { useAccounts } from './accounts/use-accounts';
import { CheckView } from './posture/check-view';
import { Composer } from './compose/composer';
import type { Draft as StoredDraft, MailboxProblem } from '../../shared/types/draft';
import { api } from './api';
import { SANDBOX_SENDER, copyAsNew, emptyDraft, fromStored, toStored, type Draft } from './compose/draft';
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
import { FilingNotice } from './mailbox/filing-notice';
import { OutboxView } from './mailbox/outbox-view';
import { SentView } from './mailbox/sent-view';
import { useMailbox } from './mailbox/use-mailbox';
import { HelpOverlay } from './ui/help-overlay';

/** The app's main screen: first run, or the composer with its forecasts, progress and the per-hop view. */
export function App() {
  const { accounts, reload } = useAccounts();
  const sandbox = useSandbox();
  const sender = useSender();
  const [draft, setDraft] = useState<Draft>();
  const [help, setHelp] = useState(false);
  const [stored, setStored] = useState<{ drafts: readonly StoredDraft[]; problems: readonly MailboxProblem[] }>();
  const [view, setView] = useState<'compose' | 'outbox' | 'sent' | 'accounts' | 'check'>('compose');
  const mailbox = useMailbox();
  // While a send runs the message belongs to the Outbox: no autosave may put it back in Drafts.
  const autosave = useAutosave(draft, stored !== undefined && sender.state.status !== 'sending');
  const reloadDrafts = (): void => void api.drafts.list(undefined).then((r) => r.ok && setStored(r.value));
  useEffect(() => api.events.mailboxChanged(() => reloadDrafts()), []);

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

  // A message in Sent or the Outbox has left Drafts (main moved it); what stays in the composer is a new draft,
  // saved only once edited. One that came back to Drafts shows why.
  useEffect(() => {
    const { filing } = sender.state;
    if (!filing) return;
    setDraft((current) => {
      if (!current || current.id !== filing.id) return current;
      if (filing.folder === 'drafts') return { ...current, returned: { at: new Date().toISOString(), reason: filing.reason } };
      // It went (or waits in the Outbox): why an earlier attempt came back no longer applies to what stays here.
      const { returned: _returned, ...rest } = current;
      return { ...rest, id: newOperationId() };
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
        {!firstRun && draft ? (
          <nav className="views" aria-label="Mailbox">
            {(['compose', 'outbox', 'sent', 'accounts', 'check'] as const).map((v) => (
              <button key={v} type="button" className={view === v ? 'current' : ''} aria-current={view === v ? 'page' : undefined} onClick={() => setView(v)}>
                {v === 'compose' ? 'Write' : v === 'outbox' ? `Outbox${mailbox.outbox.length ? ` (${mailbox.outbox.length})` : ''}` : v === 'sent' ? 'Sent' : v === 'accounts' ? 'Accounts' : 'Check a server'}
              </button>
            ))}
          </nav>
        ) : null}
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
        {!firstRun && draft && view === 'outbox' ? (
          <OutboxView
            entries={mailbox.outbox}
            problems={mailbox.outboxProblems}
            onEditDraft={(id) => {
              void api.drafts.list(undefined).then((r) => {
                if (!r.ok) return;
                setStored(r.value);
                const back = r.value.drafts.find((d) => d.id === id);
                if (back) setDraft(fromStored(back));
                setView('compose');
              });
            }}
          />
        ) : null}
        {!firstRun && draft && view === 'check' ? <CheckView /> : null}
        {!firstRun && draft && accounts && view === 'accounts' ? <AccountsView accounts={accounts} onChanged={() => void reload()} /> : null}
        {!firstRun && draft && view === 'sent' ? (
          <SentView
            messages={mailbox.sent}
            problems={mailbox.sentProblems}
            search={mailbox.search}
            onSearch={mailbox.setSearch}
            onSendAgain={(message) => {
              setDraft(copyAsNew(message.draft));
              setView('compose');
            }}
          />
        ) : null}
        {!firstRun && draft && accounts && view === 'compose' ? (
          <>
            <DraftsBar drafts={stored?.drafts ?? []} problems={stored?.problems ?? []} current={draft.id} {...(autosave.savedAt ? { savedAt: autosave.savedAt } : {})} {...(autosave.error ? { error: autosave.error } : {})} onOpen={(d) => setDraft(fromStored(d))}
              onNew={() => {
                // The draft being written stays in Drafts; a fresh one starts from the same sender and its default.
                const account = accounts.find((a) => a.id === draft.sender);
                setDraft(emptyDraft(draft.sender, account?.defaultSecurity ?? draft.choice));
                void api.drafts.list(undefined).then((r) => r.ok && setStored(r.value));
              }}
            />
            <Composer draft={draft} onChange={setDraft} accounts={accounts} sandbox={sandbox.status} sending={sending} onStartSandbox={() => void sandbox.start()} onSend={(password) => {
                const message = toStored(draft);
                void sender.send((operationId) => api.outbox.send({ draft: { ...message, to: [...message.to], cc: [...message.cc], bcc: [...message.bcc], attachments: [...message.attachments] }, operationId, ...(password ? { password } : {}) }));
              }}
            />
            {sending ? <SendProgress step={sender.state.step} cancelling={sender.state.cancelling === true} onCancel={sender.cancel} /> : null}
            {sender.state.filing ? <FilingNotice filing={sender.state.filing} /> : null}
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
