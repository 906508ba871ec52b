import { POSTURE_CHANNELS } from '../../../shared/ipc/channels/posture.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../../core/dns/dns-client.js';
import { checkDomain } from '../../core/posture/domain-check.js';
import { checkServer } from '../../core/posture/server-check.js';
import { extraCa, type HandlerContext, type Implementations } from './context.js';

/** Server and domain checks, and the composer's cached forecasts. */
export function postureHandlers(ctx: HandlerContext): Implementations<typeof POSTURE_CHANNELS> {
  // How checks are made where the request does not say (the app: the system's resolver and roots).
  const base = ctx.deps.forecast;
  const trust = async (caFile: string | undefined): Promise<{ extraCaPem?: string }> => (caFile ? extraCa(caFile) : base?.extraCaPem ? { extraCaPem: base.extraCaPem } : {});
  return {
    'posture:check-server': async ({ caFile, ...target }) => checkServer({ ...target, ...(await trust(caFile)) }),
    'posture:check-domain': async ({ domain, resolver, caFile }) =>
      checkDomain({
        domain,
        resolver: createResolver(resolver ?? base?.resolver ? parseResolverAddress((resolver ?? base?.resolver) as string) : systemResolverAddress()),
        ...(await trust(caFile)),
        ...(base?.smtpPort ? { smtpPort: base.smtpPort } : {}),
        ...(base?.httpsPort ? { httpsPort: base.httpsPort } : {}),
      }),
    'posture:forecast': ({ domain }) => ctx.forecasts.get(domain),
  };
}
