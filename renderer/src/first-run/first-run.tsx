import { useState } from 'react';
import type { AccountView } from '../../../shared/types/account';
import type { ErrorData } from '../../../shared/types/errors';
import { ErrorBox } from '../ui/error-box';
import { AddAccount } from './add-account';

/** With no account yet: try the built-in sandbox, or add your account. */
export function FirstRun(props: { onTrySandbox: () => Promise<void>; sandboxError?: ErrorData; busy: boolean; onAdded: (account: AccountView) => void }) {
  const [adding, setAdding] = useState(false);
  if (adding) return <AddAccount onAdded={props.onAdded} onCancel={() => setAdding(false)} />;
  return (
    <section className="first-run" aria-label="Welcome">
      <h2>Send your first message with transport security you can see</h2>
      <div className="first-run-options">
        <div className="option">
          <h3>Try the built-in sandbox</h3>
          <p>A mail server on this computer that supports REQUIRETLS. Send a message with “Require TLS on every hop” and see how each hop was protected. Nothing leaves your machine.</p>
          <button type="button" className="primary" disabled={props.busy} onClick={() => void props.onTrySandbox()}>
            {props.busy ? 'Starting the sandbox…' : 'Try the built-in sandbox'}
          </button>
        </div>
        <div className="option">
          <h3>Add your account</h3>
          <p>Hoplight finds your provider’s submission server from your address and keeps your password in the system keychain.</p>
          <button type="button" onClick={() => setAdding(true)}>
            Add your account
          </button>
        </div>
      </div>
      {props.sandboxError ? <ErrorBox error={props.sandboxError} /> : null}
    </section>
  );
}
