import type { Filing } from '../../../shared/types/mailbox';

/** Where a send left the message, in one sentence. */
export function FilingNotice(props: { filing: Filing }) {
  const { filing } = props;
  const text =
    filing.folder === 'sent'
      ? 'Sent: the message is in Sent, with this report.'
      : filing.folder === 'drafts'
        ? 'Not sent: the message is back in Drafts, with the reason shown on it.'
        : filing.state === 'uncertain'
          ? 'The message may have been delivered: it is kept in the Outbox and will not be sent again unless you ask.'
          : `Not sent yet: the message is kept in the Outbox and tried again${filing.nextAttemptAt ? ` at ${new Date(filing.nextAttemptAt).toLocaleTimeString()}` : ''}, with the same security.`;
  return (
    <p className={`filing filing-${filing.folder}`} role="status" data-folder={filing.folder}>
      {text}
    </p>
  );
}
