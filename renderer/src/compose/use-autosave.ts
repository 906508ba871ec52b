import { useEffect, useRef, useState } from 'react';
import type { ErrorData } from '../../../shared/types/errors';
import { api } from '../api';
import { toStored, type Draft } from './draft';

/** How long after the last change the draft is saved: a crash loses at most about this much typing. */
export const AUTOSAVE_DELAY_MS = 800;

/** Saves the draft about a second after each change, and when the window closes. */
export function useAutosave(draft: Draft | undefined, enabled: boolean): { savedAt?: string; error?: ErrorData } {
  const [state, setState] = useState<{ savedAt?: string; error?: ErrorData }>({});
  const latest = useRef<Draft | undefined>(undefined);
  const lastSaved = useRef<string>('');
  const seenId = useRef<string | undefined>(undefined);
  const save = (value: Draft): void => {
    const stored = toStored(value);
    const key = JSON.stringify(stored);
    if (key === lastSaved.current) return;
    lastSaved.current = key;
    void api.drafts.save({ ...stored, to: [...stored.to], cc: [...stored.cc], bcc: [...stored.bcc], attachments: [...stored.attachments] }).then((result) => setState(result.ok ? { savedAt: result.value.updatedAt } : { error: result.error }));
  };
  useEffect(() => {
    latest.current = draft;
    if (!draft || !enabled) return;
    // The first sight of a draft (restored, created, or renamed after a send) is what is on disk already, or
    // nothing yet: only a change after it is saved.
    if (seenId.current !== draft.id) {
      seenId.current = draft.id;
      lastSaved.current = JSON.stringify(toStored(draft));
      return;
    }
    const timer = setTimeout(() => save(draft), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [draft, enabled]);
  useEffect(() => {
    const flush = (): void => {
      if (latest.current && enabled) save(latest.current);
    };
    window.addEventListener('beforeunload', flush);
    return () => window.removeEventListener('beforeunload', flush);
  }, [enabled]);
  return state;
}
