// Idle `nix-daemon --stdio` sessions kept for the next build: a queue runner's worker slots each take
// one, build, and give it back. A killed build's session dies with it; a session is retired after a
// minute so its in-memory store caches and temporary GC roots do not outlive a short window.
import type { NixLogEvent } from './nix-log-events';
import {
  NixDaemonSession,
  type NixClientSettings,
  type RealiseOptions,
  type RunningRealise,
} from './nix-daemon-session';

const SESSION_MAX_AGE_MS = 60_000;

export class NixDaemonPool {
  readonly #settings: NixClientSettings;
  readonly #binary: string;
  readonly #idle: NixDaemonSession[] = [];
  #busy = 0;

  constructor(settings: NixClientSettings, binary = 'nix-daemon') {
    this.#settings = settings;
    this.#binary = binary;
  }

  /** Starts building `options.drvPath` on an idle session (or a new one). */
  async realise(options: RealiseOptions, onEvent: (e: NixLogEvent) => void): Promise<RunningRealise> {
    const session = this.#take() ?? (await NixDaemonSession.start(this.#binary));
    const running = session.realise(options, this.#settings, onEvent);
    this.#busy++;
    void running.result.then(
      () => {
        this.#busy--;
        this.#giveBack(session);
      },
      () => this.#busy--,
    );
    return running;
  }

  /** Sessions building (busy) and kept for the next build (idle). */
  sessions(): { idle: number; busy: number } {
    return { idle: this.#idle.length, busy: this.#busy };
  }

  /**
   * Ends every idle session; resolves when they have exited. Until then a session's temporary GC
   * roots keep what it built alive (`nix-store --delete` refuses those paths).
   */
  async close(): Promise<void> {
    await Promise.all(this.#idle.splice(0).map((session) => session.close()));
  }

  #take(): NixDaemonSession | undefined {
    for (let session = this.#idle.pop(); session; session = this.#idle.pop()) {
      if (this.#usable(session)) return session;
      void session.close();
    }
    return undefined;
  }

  #giveBack(session: NixDaemonSession): void {
    if (this.#usable(session)) this.#idle.push(session);
    else void session.close();
  }

  #usable(session: NixDaemonSession): boolean {
    return session.idle && Date.now() - session.startedAt < SESSION_MAX_AGE_MS;
  }
}
