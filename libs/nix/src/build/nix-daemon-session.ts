// One long-lived `nix-daemon --stdio` (in its own process group, over the local store) that builds
// one derivation at a time: what `nix-store --realise` does in-process, without a new Nix process,
// store and configuration load per build. Log events arrive as `--log-format internal-json` gives them.
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import type { NixLogEvent } from './nix-log-events';
import { killProcessTree } from './process-tree';
import {
  WORKER_MAGIC_2,
  Verbosity,
  WireReader,
  buildPathsRequest,
  greeting,
  messageEvent,
  readUntilLast,
  setOptionsRequest,
  type ClientOptions,
} from './worker-protocol';

/** The local Nix's own settings a client passes on (`nix show-config`), as `nix-store` would. */
export type NixClientSettings = Pick<
  ClientOptions,
  'keepFailed' | 'tryFallback' | 'maxBuildJobs' | 'verboseBuild' | 'buildCores' | 'useSubstitutes'
>;

export interface RealiseOptions {
  readonly drvPath: string;
  /** meta.timeout: Nix fails the step as timed out after this many seconds. */
  readonly timeoutSeconds: number;
  /** meta.maxSilent: seconds without output before Nix fails the step as timed out. */
  readonly maxSilentSeconds: number;
  /** Nix's `builders` setting: "" for local builds only, or "@/path/to/machines". */
  readonly builders: string;
  /** Nix's `build-hook` setting (see decline-build-hook.ts); undefined keeps Nix's own. */
  readonly buildHook?: string;
  /** Build independent dependencies even when one fails (Hydra records every step). */
  readonly keepGoing?: boolean;
}

export interface RealiseResult {
  /** Nix's exit status (0, 1, 100..115); null when the daemon was killed or died. */
  readonly exitCode: number | null;
  readonly signal: string | null;
}

export interface RunningRealise {
  readonly pid: number;
  readonly result: Promise<RealiseResult>;
  /** Kills the daemon and every process below it; resolves when they are gone. */
  kill(graceMs?: number): Promise<void>;
}

export class NixDaemonSession {
  readonly pid: number;
  readonly startedAt = Date.now();
  readonly #process: ResultPromise;
  readonly #reader = new WireReader();
  readonly #exited: Promise<{ signal: string | null }>;
  #onEvent: ((e: NixLogEvent) => void) | undefined;
  #dead = false;
  #busy = false;

  private constructor(binary: string) {
    this.#process = execa(binary, ['--stdio'], {
      detached: true,
      reject: false,
      buffer: false,
      encoding: 'buffer',
      stdin: 'pipe',
    });
    const pid = this.#process.pid;
    if (pid === undefined) throw new Error(`${binary} did not start`);
    this.pid = pid;
    this.#process.stdout!.on('data', (chunk: Buffer) => this.#reader.push(chunk));
    // The daemon's own stderr (not tunnelled): goes to the build it interrupts, if any.
    createInterface({ input: this.#process.stderr!, crlfDelay: Infinity }).on('line', (line) =>
      this.#onEvent?.({ kind: 'text', text: line }),
    );
    this.#process.stdin!.on('error', () => undefined);
    this.#exited = this.#process.then((r) => {
      this.#dead = true;
      this.#reader.end(new Error(`nix-daemon exited (${r.signal ?? `exit ${r.exitCode ?? '?'}`})`));
      return { signal: r.signal ?? null };
    });
  }

  /** Starts a daemon and exchanges the greeting. */
  static async start(binary = 'nix-daemon'): Promise<NixDaemonSession> {
    const session = new NixDaemonSession(binary);
    try {
      session.#write(greeting());
      const magic = await session.#reader.u64();
      if (magic !== WORKER_MAGIC_2) throw new Error('nix-daemon --stdio: protocol mismatch');
      await session.#reader.u64(); // the daemon's protocol version
      const end = await readUntilLast(session.#reader, () => undefined);
      if (!end.ok) throw new Error(`nix-daemon --stdio: ${end.message}`);
    } catch (e) {
      void session.close();
      throw e;
    }
    return session;
  }

  /** Ready for another build: alive and not building. */
  get idle(): boolean {
    return !this.#dead && !this.#busy;
  }

  /** Builds `options.drvPath` (and what it needs); one build at a time per session. */
  realise(options: RealiseOptions, settings: NixClientSettings, onEvent: (e: NixLogEvent) => void): RunningRealise {
    if (!this.idle) throw new Error('this nix-daemon session is busy or gone');
    this.#busy = true;
    this.#onEvent = onEvent;
    const result = this.#build(options, settings, onEvent).finally(() => {
      this.#onEvent = undefined;
      this.#busy = false;
    });
    return {
      pid: this.pid,
      result,
      kill: async (graceMs?: number) => {
        this.#dead = true;
        await killProcessTree(this.pid, graceMs);
      },
    };
  }

  /** Ends the session: the daemon exits when its input closes. */
  /** Ends the session; resolves when the daemon has exited (and so released its temporary roots). */
  async close(): Promise<void> {
    this.#dead = true;
    this.#process.stdin!.end();
    await this.#exited;
  }

  async #build(
    options: RealiseOptions,
    settings: NixClientSettings,
    onEvent: (e: NixLogEvent) => void,
  ): Promise<RealiseResult> {
    try {
      this.#write(
        setOptionsRequest({
          ...settings,
          keepGoing: options.keepGoing !== false,
          verbosity: Verbosity.Warn,
          maxSilentTime: options.maxSilentSeconds,
          overrides: {
            timeout: String(options.timeoutSeconds),
            builders: options.builders,
            ...(options.buildHook === undefined ? {} : { 'build-hook': options.buildHook }),
          },
        }),
      );
      const set = await readUntilLast(this.#reader, onEvent);
      if (!set.ok) return this.#failed(set.message, set.status, onEvent);
      this.#write(buildPathsRequest([options.drvPath]));
      const end = await readUntilLast(this.#reader, onEvent);
      if (!end.ok) return this.#failed(end.message, end.status, onEvent);
      await this.#reader.u64(); // 1
      return { exitCode: 0, signal: null };
    } catch {
      // The daemon died or was killed mid-build.
      this.#dead = true;
      const { signal } = await this.#exited;
      return { exitCode: null, signal };
    }
  }

  /** Nix's final error, as `nix-store` prints it before exiting with its status. */
  #failed(message: string, status: number, onEvent: (e: NixLogEvent) => void): RealiseResult {
    onEvent(messageEvent(message));
    return { exitCode: status, signal: null };
  }

  #write(data: Buffer): void {
    this.#process.stdin!.write(data);
  }
}
