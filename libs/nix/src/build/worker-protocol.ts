// The Nix worker protocol (what `nix-store` speaks to `nix-daemon`), the part FC needs to build over
// one long-lived `nix-daemon --stdio`: the greeting, wopSetOptions, wopBuildPaths, and the daemon's
// stderr stream (messages, activities, results). Numbers are little-endian u64; strings are a length
// and bytes padded to 8 (Nix's src/libstore/worker-protocol.hh, serialise.cc).
import { stripAnsi, type NixLogEvent } from './nix-log-events';

export const WORKER_MAGIC_1 = 0x6e697863;
export const WORKER_MAGIC_2 = 0x6478696f;
/**
 * 1.25: activities are structured (>= 20), and a failed operation's error carries Nix's exit status
 * (100..115 for build failures), which later minors drop; every Nix since 2.3 speaks it.
 */
export const CLIENT_VERSION = (1 << 8) | 25;

export const WorkerOp = { BuildPaths: 9, SetOptions: 19 } as const;

export const Stderr = {
  Next: 0x6f6c6d67,
  Read: 0x64617461,
  Write: 0x64617416,
  Last: 0x616c7473,
  Error: 0x63787470,
  StartActivity: 0x53545254,
  StopActivity: 0x53544f50,
  Result: 0x52534c54,
} as const;

/** Nix's verbosity levels (src/libutil/logging.hh). */
export const Verbosity = { Error: 0, Warn: 1, Info: 3 } as const;

export function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function str(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const pad = (8 - (bytes.length % 8)) % 8;
  return Buffer.concat([u64(bytes.length), bytes, Buffer.alloc(pad)]);
}

export function strings(list: readonly string[]): Buffer {
  return Buffer.concat([u64(list.length), ...list.map(str)]);
}

/** What `nix-store` sends in wopSetOptions, from the local Nix's configuration (`nix show-config`). */
export interface ClientOptions {
  readonly keepFailed: boolean;
  readonly keepGoing: boolean;
  readonly tryFallback: boolean;
  readonly verbosity: number;
  readonly maxBuildJobs: number;
  readonly maxSilentTime: number;
  readonly verboseBuild: boolean;
  readonly buildCores: number;
  readonly useSubstitutes: boolean;
  /** Settings by name (`timeout`, `builders`): a `--stdio` daemon trusts its client with all of them. */
  readonly overrides: Readonly<Record<string, string>>;
}

export function setOptionsRequest(o: ClientOptions): Buffer {
  const overrides = Object.entries(o.overrides);
  return Buffer.concat([
    u64(WorkerOp.SetOptions),
    u64(o.keepFailed ? 1 : 0),
    u64(o.keepGoing ? 1 : 0),
    u64(o.tryFallback ? 1 : 0),
    u64(o.verbosity),
    u64(o.maxBuildJobs),
    u64(o.maxSilentTime),
    u64(1), // obsolete useBuildHook
    u64(o.verboseBuild ? Verbosity.Error : 7), // verboseBuild is sent as "lvlError or not"
    u64(0), // obsolete logType
    u64(0), // obsolete printBuildTrace
    u64(o.buildCores),
    u64(o.useSubstitutes ? 1 : 0),
    u64(overrides.length),
    ...overrides.flatMap(([k, v]) => [str(k), str(v)]),
  ]);
}

/** Builds the derivations (all their outputs) the way `nix-store --realise` does (build mode normal). */
export function buildPathsRequest(drvPaths: readonly string[]): Buffer {
  return Buffer.concat([u64(WorkerOp.BuildPaths), strings(drvPaths), u64(0)]);
}

/** The client's half of the greeting: magic, version, no CPU affinity, no reserved space. */
export function greeting(): Buffer {
  return Buffer.concat([u64(WORKER_MAGIC_1), u64(CLIENT_VERSION), u64(0), u64(0)]);
}

/** Reads the daemon's stdout as it arrives: whole numbers, strings and fields, awaited. */
export class WireReader {
  readonly #chunks: Buffer[] = [];
  #length = 0;
  #waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  #ended: Error | undefined;

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    this.#wake();
  }

  /** No more data will come: pending and later reads fail with `error`. */
  end(error: Error): void {
    this.#ended ??= error;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(this.#ended);
  }

  bytes(n: number): Promise<Buffer> {
    if (this.#length >= n) return Promise.resolve(this.#take(n));
    if (this.#ended) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      this.#waiter = { n, resolve, reject };
    });
  }

  async u64(): Promise<number> {
    return Number((await this.bytes(8)).readBigUInt64LE());
  }

  /** Activity ids are `pid << 32 | counter`: their low 48 bits are unique within one daemon. */
  async activityId(): Promise<number> {
    return Number(BigInt.asUintN(48, (await this.bytes(8)).readBigUInt64LE()));
  }

  async string(): Promise<string> {
    const n = await this.u64();
    const padded = n + ((8 - (n % 8)) % 8);
    return (await this.bytes(padded)).toString('utf8', 0, n);
  }

  async fields(): Promise<(number | string)[]> {
    const n = await this.u64();
    const out: (number | string)[] = [];
    for (let i = 0; i < n; i++) {
      const type = await this.u64();
      if (type === 0) out.push(await this.u64());
      else if (type === 1) out.push(await this.string());
      else throw new Error(`the Nix daemon sent a log field of unknown type ${type}`);
    }
    return out;
  }

  #wake(): void {
    const w = this.#waiter;
    if (!w || this.#length < w.n) return;
    this.#waiter = undefined;
    w.resolve(this.#take(w.n));
  }

  #take(n: number): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    this.#chunks.length = 0;
    if (all.length > n) this.#chunks.push(all.subarray(n));
    this.#length -= n;
    return all.subarray(0, n);
  }
}

/** How an operation ended: `STDERR_LAST`, or `STDERR_ERROR` with Nix's message and exit status. */
export type OperationEnd = { ok: true } | { ok: false; message: string; status: number };

/**
 * Reads the daemon's stderr stream until the operation ends, turning every message into the event
 * `nix-store --log-format internal-json` would have printed for it.
 */
export async function readUntilLast(r: WireReader, onEvent: (e: NixLogEvent) => void): Promise<OperationEnd> {
  for (;;) {
    const tag = await r.u64();
    switch (tag) {
      case Stderr.Last:
        return { ok: true };
      case Stderr.Error: {
        const message = stripAnsi(await r.string()).trimEnd();
        const status = await r.u64();
        return { ok: false, message, status };
      }
      case Stderr.Next:
        onEvent(messageEvent(await r.string()));
        break;
      case Stderr.StartActivity: {
        const id = await r.activityId();
        await r.u64(); // level
        const type = await r.u64();
        const text = await r.string();
        const fields = await r.fields();
        await r.activityId(); // parent
        onEvent({ kind: 'start', id, type, text, fields });
        break;
      }
      case Stderr.StopActivity:
        onEvent({ kind: 'stop', id: await r.activityId() });
        break;
      case Stderr.Result: {
        const id = await r.activityId();
        const type = await r.u64();
        onEvent({ kind: 'result', id, type, fields: await r.fields() });
        break;
      }
      default:
        // STDERR_READ/WRITE belong to operations FC never sends.
        throw new Error(`the Nix daemon sent an unexpected message 0x${tag.toString(16)}`);
    }
  }
}

/**
 * A tunnelled message carries no level: Nix formats errors as "error: …" and warnings as "warning: …",
 * and the client asks for nothing below warnings (Verbosity.Warn), so anything else came from
 * printError (level 0).
 */
export function messageEvent(text: string): NixLogEvent {
  const msg = stripAnsi(text).replace(/\n$/, '');
  return { kind: 'msg', level: msg.startsWith('warning:') ? Verbosity.Warn : Verbosity.Error, msg };
}
