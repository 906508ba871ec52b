import { useState, type DragEvent } from 'react';
import type { AttachmentInfo } from '../../../shared/ipc/contract';
import type { ErrorData } from '../../../shared/types/errors';
import { api } from '../api';
import { ErrorBox } from '../ui/error-box';

/** Human-readable size. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** Attachments by the file picker or by drag and drop; the renderer only holds paths, main reads the files. */
export function Attachments(props: { value: readonly AttachmentInfo[]; onChange: (value: AttachmentInfo[]) => void }) {
  const [error, setError] = useState<ErrorData>();
  const [over, setOver] = useState(false);
  const add = (files: readonly AttachmentInfo[]): void => {
    const known = new Set(props.value.map((a) => a.path));
    props.onChange([...props.value, ...files.filter((f) => !known.has(f.path))]);
  };
  const pick = async (): Promise<void> => {
    const result = await api.attachments.pick(undefined);
    if (result.ok) {
      setError(undefined);
      add(result.value);
    } else setError(result.error);
  };
  const drop = async (event: DragEvent): Promise<void> => {
    event.preventDefault();
    setOver(false);
    const paths = Array.from(event.dataTransfer.files).flatMap((file) => {
      const path = api.pathOfDroppedFile(file);
      return path ? [path] : [];
    });
    if (paths.length === 0) return;
    const result = await api.attachments.describe({ paths });
    if (result.ok) add(result.value);
    else setError(result.error);
  };
  const total = props.value.reduce((sum, a) => sum + (a.size ?? 0), 0);
  return (
    <div
      className={over ? 'attachments drop-over' : 'attachments'}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => void drop(e)}
    >
      <div className="attachments-head">
        <button type="button" onClick={() => void pick()}>
          Attach files…
        </button>
        <span className="caveat">or drop files here{props.value.length ? ` · ${props.value.length} attached, ${formatSize(total)}` : ''}</span>
      </div>
      {props.value.length ? (
        <ul className="attachment-list" aria-label="Attachments">
          {props.value.map((a) => (
            <li key={a.path} className={a.problem ? 'attachment invalid' : 'attachment'}>
              <span>
                {a.problem ? <span aria-hidden="true">⚠ </span> : null}
                {a.name} {a.problem ? <span className="problem">— {a.problem}</span> : <span className="size">({formatSize(a.size ?? 0)})</span>}
              </span>
              <button type="button" className="chip-remove" aria-label={`Remove ${a.name}`} onClick={() => props.onChange(props.value.filter((x) => x.path !== a.path))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? <ErrorBox error={error} /> : null}
    </div>
  );
}
