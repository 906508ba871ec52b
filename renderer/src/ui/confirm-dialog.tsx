import type { ReactNode } from 'react';

/** A modal question before an act that cannot be undone: the safe answer has the focus. */
export function ConfirmDialog(props: { id: string; title: string; children: ReactNode; confirm: string; cancel: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div className="overlay">
      <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby={`${props.id}-title`} aria-describedby={`${props.id}-text`}>
        <h2 id={`${props.id}-title`}>{props.title}</h2>
        <p id={`${props.id}-text`}>{props.children}</p>
        <div className="actions">
          <button type="button" className="primary" onClick={props.onConfirm}>
            {props.confirm}
          </button>
          <button type="button" autoFocus onClick={props.onCancel}>
            {props.cancel}
          </button>
        </div>
      </div>
    </div>
  );
}
