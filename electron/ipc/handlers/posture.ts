import { POSTURE_CHANNELS } from '../../../shared/ipc/channels/posture.js';
import { createResolver, parseResolverAddress, systemResolverAddress } from '../../core/dns/dns-client.js';
import { checkDomain } from '../../core/posture/domain-check.js';
import { checkServer } from '../../core/posture/server-check.js';
import { extraCa, type HandlerContext, type Implementations } from './context.js';

/** Server and domain checks, and the composer's cached forecasts. */
export function postureHandlers(ctx: HandlerContext): Implementations<typeof POSTURE_CHANNELS> {
  return {
    'posture:check-server': async ({ caFile, ...target }) => checkServer({ ...target, ...(await extraCa(caFile)) }),
    'posture:check-domain': async ({ domain, resolver, caFile }) =>
      checkDomain({ domain, resolver: createResolver(resolver ? parseResolverAddress(resolver) : systemResolverAddress()), ...(await extraCa(caFile)) }),
    'posture:forecast': ({ domain }) => ctx.forecasts.get(domain),
  };
}
