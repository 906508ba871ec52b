import type { Draft, MailboxProblem } from '../../../shared/types/draft';
import type { ErrorData } from '../../../shared/types/errors';
import { ErrorBox } from '../ui/error-box';

/** Where the draft stands: saved when, other drafts to open, and any damaged draft file that was set aside. */
export function DraftsBar(props: { drafts: readonly Draft[]; problems: readonly MailboxProblem[]; current: string; savedAt?: string; error?: ErrorData; onOpen: (draft: Draft) => void; onNew: () => void }) {
  const others = props.drafts.filter((d) => d.id !== props.current);
  return (
    <div className="drafts-bar">
      <span role="status" className="saved">
        {props.savedAt ? `Draft saved at ${new Date(props.savedAt).toLocaleTimeString()}` : 'Drafts are saved as you type.'}
      </span>
      <button type="button" className="small" onClick={props.onNew}>
        New message
      </button>
      {others.length ? (
        <label className="open-draft">
          Open another draft{' '}
          <select
            value=""
            onChange={(e) => {
              const draft = others.find((d) => d.id === e.target.value);
              if (draft) props.onOpen(draft);
            }}
          >
            <option value="">{others.length} more…</option>
            {others.map((d) => (
              <option key={d.id} value={d.id}>
                {d.subject || '(no subject)'} — {new Date(d.updatedAt).toLocaleString()}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      {props.problems.map((p) => (
        <p key={p.movedTo} className="caveat" role="alert">
          A damaged draft file was set aside, not deleted: {p.movedTo} ({p.reason}).
        </p>
      ))}
      {props.error ? <ErrorBox error={props.error} /> : null}
    </div>
  );
}
