// Finds the valid store path whose hash part a binary cache client asks for
// (`/nix-cache/<hash>.narinfo`), with what its narinfo says. Nix 2.8's command line has no
// path-from-hash-part, so this asks Nix's SQLite database the way Nix itself does
// (`path >= <storeDir>/<hash>`, first row), read-only, and reads the path's NAR hash, size,
// references, deriver, signatures and CA from the same database: no process per request. A user
// other than the store's owner (fc-server as the NixOS module runs it) reads it too, while Nix keeps
// its write-ahead log open; only where the database cannot be read does it scan the store directory
// and ask `nix path-info`, trying the database again a minute later.
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { isStorePathHash } from './nix-base32';
import { queryStorePathFacts, type StorePathFacts } from './store-path-facts';

export interface StorePathLookupOptions {
  /** Default /nix/store. */
  readonly storeDir?: string;
  /** Nix's database; default /nix/var/nix/db/db.sqlite. */
  readonly dbPath?: string;
}

export interface StorePathLookup {
  /** The valid store path with this hash part, or undefined. Throws on a malformed hash. */
  pathOfHash(hash: string): Promise<string | undefined>;
  /** The facts of the valid store path with this hash part, or undefined. Throws on a malformed hash. */
  factsOfHash(hash: string): Promise<StorePathFacts | undefined>;
  close(): void;
}

/** A row of Nix's ValidPaths (hash is "sha256:<base-16>"). */
interface InfoRow {
  readonly id: number;
  readonly path: string;
  readonly hash: string;
  readonly narSize: number | bigint | null;
  readonly deriver: string | null;
  readonly sigs: string | null;
  readonly ca: string | null;
}

export function createStorePathLookup(options: StorePathLookupOptions = {}): StorePathLookup {
  const storeDir = options.storeDir ?? '/nix/store';
  const dbPath = options.dbPath ?? '/nix/var/nix/db/db.sqlite';
  /** When the database could not be read, the time to try again. */
  let retryAt = 0;
  /** undefined: not opened yet (opened on first use); null: unreadable now, scan the directory. */
  let db:
    | {
        readonly handle: DatabaseSync;
        readonly byHash: StatementSync;
        readonly info: StatementSync;
        readonly references: StatementSync;
      }
    | null
    | undefined;

  function open(): typeof db {
    if (db === null && Date.now() >= retryAt) db = undefined;
    if (db !== undefined) return db;
    let handle: DatabaseSync | undefined;
    try {
      handle = new DatabaseSync(dbPath, { readOnly: true, timeout: 10_000 });
      // Opening succeeds lazily; a read tells whether this user can read it.
      handle.prepare('SELECT 1 FROM ValidPaths LIMIT 1').get();
      db = {
        handle,
        byHash: handle.prepare('SELECT path FROM ValidPaths WHERE path >= ? ORDER BY path LIMIT 1'),
        info: handle.prepare(
          'SELECT id, path, hash, narSize, deriver, sigs, ca FROM ValidPaths WHERE path >= ? ORDER BY path LIMIT 1',
        ),
        references: handle.prepare(
          'SELECT v.path FROM Refs r JOIN ValidPaths v ON v.id = r.reference WHERE r.referrer = ? ORDER BY v.path',
        ),
      };
    } catch {
      handle?.close();
      drop();
    }
    return db;
  }

  async function scanStoreDir(prefix: string): Promise<string | undefined> {
    const dir = await opendir(storeDir, { bufferSize: 1024 });
    try {
      for await (const entry of dir) {
        if (entry.name.startsWith(prefix)) return join(storeDir, entry.name);
      }
      return undefined;
    } finally {
      await dir.close().catch(() => undefined);
    }
  }

  /** The database failed a read (its write-ahead log went away with Nix's last connection): retry later. */
  function drop(): void {
    db?.handle.close();
    db = null;
    retryAt = Date.now() + 60_000;
  }

  function factsFromDatabase(opened: NonNullable<typeof db>, prefix: string): StorePathFacts | undefined {
    const row = opened.info.get(prefix) as InfoRow | undefined;
    if (!row?.path.startsWith(prefix) || row.narSize === null) return undefined;
    const references = opened.references.all(row.id) as { path: string }[];
    return {
      path: row.path,
      narHash: row.hash,
      narSize: Number(row.narSize),
      references: references.map((r) => r.path),
      deriver: row.deriver ?? undefined,
      ca: row.ca ?? undefined,
      sigs: row.sigs ? row.sigs.split(' ').filter((x) => x !== '') : [],
    };
  }

  return {
    async pathOfHash(hash) {
      if (!isStorePathHash(hash)) throw new Error(`not a store path hash: ${JSON.stringify(hash)}`);
      const prefix = `${hash}-`;
      const opened = open();
      if (opened) {
        try {
          const row = opened.byHash.get(`${storeDir}/${prefix}`) as { path: string } | undefined;
          return row?.path.startsWith(`${storeDir}/${prefix}`) ? row.path : undefined;
        } catch {
          drop();
        }
      }
      return scanStoreDir(prefix);
    },
    async factsOfHash(hash) {
      if (!isStorePathHash(hash)) throw new Error(`not a store path hash: ${JSON.stringify(hash)}`);
      const opened = open();
      if (opened) {
        try {
          return factsFromDatabase(opened, `${storeDir}/${hash}-`);
        } catch {
          drop();
        }
      }
      const path = await scanStoreDir(`${hash}-`);
      return path === undefined ? undefined : queryStorePathFacts(path);
    },
    close() {
      if (db) db.handle.close();
      db = undefined;
    },
  };
}
