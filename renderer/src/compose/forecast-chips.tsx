import type { Forecast } from '../../../shared/types/posture';
import type { SecurityChoice } from '../../../shared/types/security';
import type { DomainForecast } from './use-forecasts';

type Tone = 'good' | 'bad' | 'neutral' | 'unknown';

const VERDICT: Readonly<Record<Forecast['verdict'], { tone: Tone; words: string }>> = {
  deliverable: { tone: 'good', words: 'REQUIRETLS delivery possible' },
  'will-bounce': { tone: 'bad', words: 'this message will come back' },
  'depends-on-relay': { tone: 'neutral', words: 'depends on your provider’s relay' },
  'policy-protected': { tone: 'good', words: 'protected by the domain’s policy' },
  'held-by-policy': { tone: 'bad', words: 'careful senders will hold it' },
  opportunistic: { tone: 'neutral', words: 'TLS, but an attacker could strip it' },
  'cleartext-possible': { tone: 'bad', words: 'may travel in cleartext' },
  'policy-ignored': { tone: 'bad', words: 'its TLS policy will be ignored' },
  'no-policy-to-ignore': { tone: 'neutral', words: 'no TLS policy to ignore' },
  unknown: { tone: 'unknown', words: 'could not be checked' },
};
const ICON: Readonly<Record<Tone, string>> = { good: '✔', bad: '✖', neutral: '●', unknown: '?' };

/** The facts a forecast rests on, in a few words: MX with DNSSEC, MTA-STS, DANE, REQUIRETLS on the MX. */
function sources(check: Extract<DomainForecast, { status: 'done' }>['result']): string {
  const parts: string[] = [];
  if (check.mx.status === 'completed') parts.push(check.mx.result.authenticated ? 'MX found with DNSSEC' : 'MX without DNSSEC');
  if (check.mtaSts.status === 'completed') parts.push(check.mtaSts.result.policy ? `MTA-STS ${check.mtaSts.result.policy.mode}` : 'no MTA-STS');
  const dane = check.mxHosts.some((h) => h.dane.status === 'completed' && h.dane.result.valid);
  if (dane) parts.push('DANE');
  const reached = check.mxHosts.filter((h) => h.reachability === 'reachable');
  if (reached.length === 0) parts.push('MX not reachable on port 25 from here');
  else {
    const rt = reached.some((h) => h.server.status === 'completed' && h.server.result.extensions.status === 'completed' && h.server.result.extensions.result.requireTlsAfterTls);
    parts.push(rt ? 'advertises REQUIRETLS' : 'no REQUIRETLS seen');
  }
  return parts.join(', ');
}

/** One chip per recipient domain, worded for the current choice; switching the choice re-words them at once. */
export function ForecastChips(props: { domains: readonly string[]; forecasts: ReadonlyMap<string, DomainForecast>; choice: SecurityChoice }) {
  if (props.domains.length === 0) return null;
  return (
    <section className="forecasts" aria-label="Recipient servers" aria-live="polite">
      <h2 className="section-title">What the recipients’ servers publish</h2>
      <ul>
        {props.domains.map((domain) => {
          const f = props.forecasts.get(domain);
          if (!f || f.status === 'checking') {
            return (
              <li key={domain} className="forecast tone-checking" data-domain={domain} data-verdict="checking">
                <span className="forecast-head">
                  <span aria-hidden="true">…</span> <strong>{domain}</strong> — checking its mail servers…
                </span>
              </li>
            );
          }
          if (f.status === 'error') {
            return (
              <li key={domain} className="forecast tone-unknown" data-domain={domain} data-verdict="unknown">
                <span className="forecast-head">
                  <span aria-hidden="true">?</span> <strong>{domain}</strong> — could not be checked: {f.error.message}
                </span>
              </li>
            );
          }
          const forecast = f.result.forecast[props.choice];
          const v = VERDICT[forecast.verdict];
          return (
            <li key={domain} className={`forecast tone-${v.tone}`} data-domain={domain} data-verdict={forecast.verdict}>
              <span className="forecast-head">
                <span aria-hidden="true">{ICON[v.tone]}</span> <strong>{domain}</strong> — {v.words}
              </span>
              <span className="forecast-sources">{sources(f.result)}</span>
              <span className="forecast-summary">{forecast.summary}</span>
            </li>
          );
        })}
      </ul>
      <p className="caveat">A red chip never blocks sending: it tells you before you commit.</p>
    </section>
  );
}
