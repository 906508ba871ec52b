import { useId, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import { parseTyped, splitAddresses, type TypedAddress } from './address-parse';

/** A To/Cc/Bcc field of address chips: parsed as typed or pasted, mistakes marked at once, removable by keyboard. */
export function AddressField(props: { label: string; value: readonly TypedAddress[]; onChange: (value: TypedAddress[]) => void }) {
  const [typing, setTyping] = useState('');
  const id = useId();
  const add = (text: string): void => {
    const parts = splitAddresses(text).map(parseTyped);
    if (parts.length) props.onChange([...props.value, ...parts]);
  };
  const remove = (index: number): void => props.onChange(props.value.filter((_, i) => i !== index));
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    if ((event.key === 'Enter' || event.key === ',' || event.key === ';' || event.key === 'Tab') && typing.trim()) {
      if (event.key !== 'Tab') event.preventDefault();
      add(typing);
      setTyping('');
    } else if (event.key === 'Backspace' && typing === '' && props.value.length > 0) {
      event.preventDefault();
      remove(props.value.length - 1);
    }
  };
  const onPaste = (event: ClipboardEvent<HTMLInputElement>): void => {
    const text = event.clipboardData.getData('text');
    if (/[,;\n]/.test(text)) {
      event.preventDefault();
      add(`${typing}${text}`);
      setTyping('');
    }
  };
  const problems = props.value.filter((a) => a.problem);
  return (
    <div className="address-field">
      <label htmlFor={id}>{props.label}</label>
      <div className="chips" role="group" aria-label={`${props.label} recipients`}>
        {props.value.map((a, i) => (
          <span key={`${a.text}-${i}`} className={a.problem ? 'chip invalid' : 'chip'} data-testid="address-chip" title={a.problem ? `${a.text}: ${a.problem}` : a.text}>
            {a.problem ? <span aria-hidden="true">⚠ </span> : null}
            {a.text}
            <button type="button" className="chip-remove" aria-label={`Remove ${a.text}`} onClick={() => remove(i)}>
              ×
            </button>
          </span>
        ))}
        <input
          id={id}
          value={typing}
          onChange={(e) => setTyping(e.target.value)}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => {
            if (typing.trim()) {
              add(typing);
              setTyping('');
            }
          }}
          aria-describedby={problems.length ? `${id}-problems` : undefined}
          placeholder={props.value.length ? '' : 'name@example.org'}
          autoComplete="off"
        />
      </div>
      {problems.length ? (
        <ul className="field-problems" id={`${id}-problems`} aria-live="polite">
          {problems.map((a, i) => (
            <li key={`${a.text}-p${i}`}>
              “{a.text}” {a.problem}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
