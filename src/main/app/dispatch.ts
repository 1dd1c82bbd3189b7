// The IPC gate: refuses unknown channels, then validates the payload with the contract's zod
// schema, then calls the handler. Every outcome is an envelope; errors travel by `code`.
import { ZodError } from 'zod';
import { isKeydenError, issuesToDetails } from '../../shared/errors.js';
import { ipcContract, type Channel, type IpcError, type IpcResult, type OutputOf, type ParsedInputOf } from '../../shared/ipc.js';

export type Handlers = { [C in Channel]: (input: ParsedInputOf<C>) => OutputOf<C> | Promise<OutputOf<C>> };
export type Dispatch = (channel: string, input: unknown) => Promise<IpcResult<unknown>>;

export function isChannel(channel: string): channel is Channel {
  return Object.hasOwn(ipcContract, channel);
}

export function toIpcError(e: unknown): IpcError {
  if (isKeydenError(e)) return { code: e.code, message: e.message, details: e.details };
  if (e instanceof ZodError) return { code: 'VALIDATION_FAILED', message: 'Some fields are not valid', details: issuesToDetails(e.issues) };
  return { code: 'INTERNAL', message: 'Something went wrong inside Keyden', details: {} };
}

export function refusal(code: 'UNKNOWN_CHANNEL' | 'FORBIDDEN_SENDER', message: string): IpcResult<never> {
  return { ok: false, error: { code, message, details: {} } };
}

export function createDispatch(handlers: Handlers, options: { onCall?: (channel: Channel) => void; onInternalError?: (channel: Channel, e: unknown) => void } = {}): Dispatch {
  return async (channel, input) => {
    if (!isChannel(channel)) return refusal('UNKNOWN_CHANNEL', `Unknown channel: ${channel.slice(0, 64)}`);
    try {
      options.onCall?.(channel);
      const parsed: unknown = ipcContract[channel].input.parse(input);
      const handler = handlers[channel] as (input: unknown) => unknown;
      const value = await handler(parsed);
      return { ok: true, value };
    } catch (e) {
      const error = toIpcError(e);
      if (error.code === 'INTERNAL') options.onInternalError?.(channel, e);
      return { ok: false, error };
    }
  };
}

/** The parts of an Electron IPC event the sender check reads (kept structural for tests). */
export interface SenderFrameLike {
  url: string;
  parent: unknown;
}
export interface IpcEventLike {
  sender: unknown;
  senderFrame: SenderFrameLike | null;
}

/** True only for the app's own top-level page in the app's own window. */
export function isAppSender(event: IpcEventLike, appWebContents: unknown, appOrigin: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null || event.sender !== appWebContents) return false;
  try {
    // Not URL.origin: for a custom scheme such as app:// it is the opaque "null".
    const url = new URL(frame.url);
    return `${url.protocol}//${url.host}` === appOrigin;
  } catch {
    return false;
  }
}
