import type { ErrorData } from '../../../shared/types/errors';
import { ERROR_TITLES, appHint } from '../error-messages';

/** Shows an error: the words for its code, the facts, the server's reply and what to do. */
export function ErrorBox(props: { error: ErrorData }) {
  const { error } = props;
  return (
    <div className="error" role="alert" data-code={error.code}>
      <strong>
        <span aria-hidden="true">⚠ </span>
        {ERROR_TITLES[error.code]}
      </strong>
      <p>{error.message}</p>
      {error.reply ? <p className="reply">Server said: {`${error.reply.code} ${error.reply.lines.join(' ')}`}</p> : null}
      {appHint(error) ? <p className="hint">{appHint(error)}</p> : null}
      <p className="transmitted">{error.messageTransmitted ? 'Part of the message reached the server.' : 'Nothing of the message was transmitted.'}</p>
    </div>
  );
}
