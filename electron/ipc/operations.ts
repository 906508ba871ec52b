import { inputError } from '../core/errors.js';

/** Long work in flight, by the operation id the renderer chose: what a cancel aborts. */
export class Operations {
  private readonly running = new Map<string, AbortController>();

  /** Registers an operation (an id already running is refused) and returns its AbortSignal. */
  start(id: string | undefined): { signal: AbortSignal; done: () => void } {
    const controller = new AbortController();
    if (id === undefined) return { signal: controller.signal, done: () => undefined };
    if (this.running.has(id)) throw inputError('operationId', 'an operation with this id is already running.');
    this.running.set(id, controller);
    return { signal: controller.signal, done: () => this.running.delete(id) };
  }

  /** Aborts the operation; false when none runs under that id. */
  cancel(id: string): boolean {
    const controller = this.running.get(id);
    controller?.abort();
    return controller !== undefined;
  }
}
