import { useCallback, useEffect, useState } from 'react';
import type { MailboxProblem } from '../../../shared/types/draft';
import type { OutboxEntry, SentSummary } from '../../../shared/types/mailbox';
import { api } from '../api';

/** The Outbox and the Sent list (with its search), refreshed whenever main says the mailbox changed. */
export function useMailbox(): {
  outbox: readonly OutboxEntry[];
  outboxProblems: readonly MailboxProblem[];
  sent: readonly SentSummary[];
  sentProblems: readonly MailboxProblem[];
  search: SentSearch;
  setSearch: (search: SentSearch) => void;
  reload: () => void;
} {
  const [outbox, setOutbox] = useState<{ entries: readonly OutboxEntry[]; problems: readonly MailboxProblem[] }>({ entries: [], problems: [] });
  const [sent, setSent] = useState<{ messages: readonly SentSummary[]; problems: readonly MailboxProblem[] }>({ messages: [], problems: [] });
  const [search, setSearch] = useState<SentSearch>({ text: '', since: '', until: '' });
  const reload = useCallback(() => {
    void api.outbox.list(undefined).then((r) => r.ok && setOutbox(r.value));
    const query = { ...(search.text ? { text: search.text } : {}), ...(search.since ? { since: search.since } : {}), ...(search.until ? { until: search.until } : {}) };
    void api.sent.list(query).then((r) => r.ok && setSent(r.value));
  }, [search]);
  useEffect(() => reload(), [reload]);
  useEffect(() => api.events.mailboxChanged(() => reload()), [reload]);
  return { outbox: outbox.entries, outboxProblems: outbox.problems, sent: sent.messages, sentProblems: sent.problems, search, setSearch, reload };
}

/** The Sent search as typed: free text and a date range (YYYY-MM-DD, empty for none). */
export interface SentSearch {
  readonly text: string;
  readonly since: string;
  readonly until: string;
}
