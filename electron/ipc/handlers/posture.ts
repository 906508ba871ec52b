import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { POSTURE_CHANNELS } from '../../../shared/ipc/channels/posture.js';
import type { CheckStep } from '../../../shared/types/posture.js';
import { HoplightError, inputError } from '../../core/errors.js';
import { checkDomain } from '../../core/posture/domain-check.js';
import { FileMtaStsCache } from '../../core/posture/mta-sts-cache.js';
import { RecentChecks } from '../../core/posture/recent-checks.js';
import { checkServer } from '../../core/posture/server-check.js';
import { extraCa, lookupResolver, type HandlerContext, type Implementations } from './context.js';

/** Server and domain checks (cancellable, with progress, kept among the recent checks), and the composer's cached forecasts. */
export function postureHandlers(ctx: HandlerContext): Implementations<typeof POSTURE_CHANNELS> {
  const { deps, operations } = ctx;
  // How checks are made where the request does not say (the app: the system's resolver and roots).
  const base = deps.forecast;
  const recent = new RecentChecks(deps.dataDir);
  const mtaStsCache = new FileMtaStsCache(join(deps.dataDir, 'mta-sts-cache.json'));
  const trust = async (caFile: string | undefined): Promise<{ extraCaPem?: string }> => (caFile ? extraCa(caFile) : base?.extraCaPem ? { extraCaPem: base.extraCaPem } : {});
  /** Runs a check under its operation id: cancellable through `posture:cancel`, its steps emitted as `posture:progress`. */
  const tracked = async <T>(operationId: string | undefined, work: (options: { signal: AbortSignal; onProgress?: (step: CheckStep) => void }) => Promise<T>): Promise<T> => {
    const operation = operations.start(operationId);
    try {
      return await work({ signal: operation.signal, ...(operationId !== undefined ? { onProgress: (step: CheckStep) => deps.emit('posture:progress', { operationId, step }) } : {}) });
    } finally {
      operation.done();
    }
  };
  return {
    'posture:check-server': async ({ caFile, operationId, ...target }) => {
      const result = await tracked(operationId, async (options) => checkServer({ ...target, ...(await trust(caFile)), ...options }));
      return recent.add({ kind: 'server', target: `${result.host}:${result.port}`, result });
    },
    'posture:check-domain': async ({ domain, resolver, caFile, operationId }) => {
      const result = await tracked(operationId, async (options) =>
        checkDomain({
          domain,
          mtaStsCache,
          resolver: lookupResolver(ctx.deps, resolver),
          ...(await trust(caFile)),
          ...(base?.smtpPort ? { smtpPort: base.smtpPort } : {}),
          ...(base?.httpsPort ? { httpsPort: base.httpsPort } : {}),
          ...options,
        }),
      );
      return recent.add({ kind: 'domain', target: result.domain, result });
    },
    'posture:cancel': ({ operationId }) => ({ cancelled: operations.cancel(operationId) }),
    'posture:recent': () => recent.list(),
    'posture:forget': async ({ id }) => {
      await recent.forget(id);
      return recent.list();
    },
    'posture:export': async ({ id }) => {
      const check = recent.get(id);
      if (!check) throw inputError('id', 'no kept check has this id (it may have been forgotten).');
      if (!deps.saveFile) throw new HoplightError('ECONFIG', 'There is no save dialog here; copy the JSON instead.');
      const name = `hoplight-check-${check.target.replace(/[^A-Za-z0-9.-]+/g, '_')}-${check.at.slice(0, 10)}.json`;
      const path = await deps.saveFile(name);
      if (path === undefined) return {};
      // The same document as `hoplight check --json`.
      await writeFile(path, `${JSON.stringify(check.result, null, 2)}\n`, { mode: 0o644 });
      return { savedTo: path };
    },
    'posture:forecast': ({ domain }) => ctx.forecasts.get(domain),
  };
}
