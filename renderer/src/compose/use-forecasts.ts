import { useEffect, useRef, useState } from 'react';
import type { ErrorData } from '../../../shared/types/errors';
import type { DomainCheckResult } from '../../../shared/types/posture';
import { api } from '../api';

/** One recipient domain's check, as the composer sees it. */
export type DomainForecast = { readonly status: 'checking' } | { readonly status: 'done'; readonly result: DomainCheckResult } | { readonly status: 'error'; readonly error: ErrorData };

/** Checks each recipient domain in the background (debounced; main caches), never blocking typing. */
export function useForecasts(domains: readonly string[]): ReadonlyMap<string, DomainForecast> {
  const [forecasts, setForecasts] = useState<ReadonlyMap<string, DomainForecast>>(new Map());
  const asked = useRef(new Set<string>());
  const key = [...new Set(domains)].sort().join(' ');
  useEffect(() => {
    const timer = setTimeout(() => {
      for (const domain of key.split(' ').filter(Boolean)) {
        if (asked.current.has(domain)) continue;
        asked.current.add(domain);
        setForecasts((m) => new Map(m).set(domain, { status: 'checking' }));
        void api.posture.forecast({ domain }).then((r) => {
          setForecasts((m) => new Map(m).set(domain, r.ok ? { status: 'done', result: r.value } : { status: 'error', error: r.error }));
          if (!r.ok) asked.current.delete(domain); // a failed check is asked again next time
        });
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [key]);
  return forecasts;
}
