// The renderer's typed client over `window.keyden`: unwraps envelopes, throws AppError by code.
import type { Channel, EventListener, InputOf, IpcError, IpcErrorCode, IpcResult, OutputOf } from '../../shared/ipc.js';
import type { BridgeEvent } from '../../shared/ipc-channels.js';
import { escapeHidden } from '../../shared/names.js';

export class AppError extends Error {
  readonly code: IpcErrorCode;
  readonly details: Record<string, unknown>;
  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.details = error.details;
  }
}

/** What went wrong, for a toast or a form: a name main quotes in it is drawn escaped (never a value: errors carry none). */
export function errorMessage(e: unknown): string {
  return e instanceof AppError ? escapeHidden(e.message) : 'Something went wrong';
}

type AnyMethod = (input?: unknown) => Promise<IpcResult<unknown>>;

export async function call<C extends Channel>(channel: C, ...args: InputOf<C> extends undefined ? [] : [InputOf<C>]): Promise<OutputOf<C>> {
  const [ns, method] = channel.split('.') as [string, string];
  const group = (window.keyden as unknown as Record<string, Record<string, AnyMethod>>)[ns];
  const fn = group?.[method];
  if (!fn) throw new AppError({ code: 'UNKNOWN_CHANNEL', message: `Keyden cannot do ${channel}`, details: {} });
  const result = await fn(args[0]);
  if (!result.ok) throw new AppError(result.error);
  return result.value as OutputOf<C>;
}

export function onEvent<E extends BridgeEvent>(event: E, listener: EventListener<E>): () => void {
  return window.keyden.events.on(event, listener);
}
