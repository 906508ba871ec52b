import { useCallback, useEffect, useState } from 'react';
import type { AccountView } from '../../../shared/types/account';
import { api } from '../api';

/** The stored accounts (never a password), and a way to reload them. */
export function useAccounts(): { accounts: readonly AccountView[] | undefined; reload: () => Promise<void> } {
  const [accounts, setAccounts] = useState<readonly AccountView[]>();
  const reload = useCallback(async () => {
    const result = await api.accounts.list(undefined);
    setAccounts(result.ok ? result.value : []);
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { accounts, reload };
}
