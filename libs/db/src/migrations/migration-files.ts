// Plain numbered SQL migrations: NNNN_name.sql, each applied in its own transaction.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MigrationFile {
  readonly version: number;
  readonly name: string;
  readonly fileName: string;
  readonly sql: string;
  readonly checksum: string;
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

export function readMigrationFiles(dir: string): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const fileName of readdirSync(dir).sort()) {
    if (!fileName.endsWith('.sql')) continue;
    const m = FILE_NAME.exec(fileName);
    if (!m) throw new Error(`migration file ${fileName} in ${dir} is not named NNNN_lowercase_name.sql`);
    const sql = readFileSync(join(dir, fileName), 'utf8');
    files.push({ version: Number(m[1]), name: m[2]!, fileName, sql, checksum: checksumOf(sql) });
  }
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.version === files[i - 1]!.version)
      throw new Error(`two migrations share version ${files[i]!.version} in ${dir}`);
  }
  return files;
}

/** Writes the next numbered, empty migration file and returns its path. */
export function createMigrationFile(dir: string, name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') throw new Error(`migration name "${name}" has no letters or digits`);
  const files = readMigrationFiles(dir);
  const next = (files.at(-1)?.version ?? 0) + 1;
  const path = join(dir, `${String(next).padStart(4, '0')}_${slug}.sql`);
  writeFileSync(path, `-- ${name}\n`, { flag: 'wx' });
  return path;
}
