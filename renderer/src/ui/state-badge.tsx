import type { HopState, HopTone } from '../../../shared/types/hop-model';

const WORDS: Readonly<Record<HopState, string>> = {
  verified: 'Verified',
  promised: 'Promised by the protocol',
  forecast: 'Forecast',
  unknown: 'Unknown',
  failed: 'Failed',
};

const ICONS: Readonly<Record<HopTone, string>> = { good: '✔', bad: '✖', neutral: '●' };

/** A hop's state in words and an icon, never colour alone. */
export function StateBadge(props: { state: HopState; tone: HopTone }) {
  const icon = props.state === 'unknown' ? '?' : props.state === 'promised' ? '◇' : ICONS[props.tone];
  return (
    <span className={`badge tone-${props.tone} state-${props.state}`} data-state={props.state}>
      <span aria-hidden="true">{icon}</span> {WORDS[props.state]}
    </span>
  );
}
