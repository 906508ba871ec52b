import { useEffect, useRef } from 'react';

/** The keyboard shortcuts, in a dialog that Escape closes. */
export function HelpOverlay(props: { onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div className="overlay" role="presentation" onClick={props.onClose}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="help-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl>
          <dt>
            <kbd>Ctrl</kbd>+<kbd>Enter</kbd> (<kbd>⌘</kbd>+<kbd>Enter</kbd>)
          </dt>
          <dd>Send the message</dd>
          <dt>
            <kbd>Enter</kbd>, <kbd>,</kbd> or <kbd>;</kbd> in a recipient field
          </dt>
          <dd>Turn what you typed into an address</dd>
          <dt>
            <kbd>Backspace</kbd> in an empty recipient field
          </dt>
          <dd>Remove the last address</dd>
          <dt>
            <kbd>Tab</kbd> / <kbd>Shift</kbd>+<kbd>Tab</kbd>
          </dt>
          <dd>Move between fields</dd>
          <dt>
            <kbd>?</kbd>
          </dt>
          <dd>Show this help</dd>
          <dt>
            <kbd>Esc</kbd>
          </dt>
          <dd>Close this help</dd>
        </dl>
        <button type="button" ref={close} onClick={props.onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
