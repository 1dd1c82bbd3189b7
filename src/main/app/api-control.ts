// Starts and stops the local REST API from Settings (opt-in in the desktop app).
import type { ApiStatus } from '../../shared/ipc.js';
import { SocketInUseError } from '../api/channel.js';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}
export type StartServer = (port: number) => Promise<RunningServer>;

export class ApiControl {
  private server: RunningServer | null = null;
  private port: number | null = null;
  private error: string | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly start: StartServer) {}

  status(): ApiStatus {
    return { running: this.server !== null, url: this.server?.url ?? null, error: this.error };
  }

  /** Brings the server to the wanted state; calls are serialised so toggles never race. */
  reconcile(enabled: boolean, port: number): Promise<ApiStatus> {
    this.pending = this.pending.then(() => this.apply(enabled, port));
    return this.pending.then(() => this.status());
  }

  stop(): Promise<ApiStatus> {
    return this.reconcile(false, this.port ?? 0);
  }

  private async apply(enabled: boolean, port: number): Promise<void> {
    if (this.server && (!enabled || port !== this.port)) {
      const server = this.server;
      this.server = null;
      this.port = null;
      await server.close();
    }
    this.error = null;
    if (!enabled || this.server) return;
    try {
      this.server = await this.start(port);
      this.port = port;
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (e instanceof SocketInUseError) this.error = 'Another Keyden owner is already serving this home';
      else this.error = code === 'EADDRINUSE' ? `Port ${port} is already in use` : 'The local API could not start';
    }
  }
}
