// What the demo (and only the demo) seeds: two API keys with fixed values (stored, like every key,
// only as their SHA-256), then through the API a demo user and a demo project whose jobset is the
// demo's local git repository. Every step is skipped when its thing already exists, so a second run
// keeps the data.
import { hashApiKeyToken } from '@fc/auth';
import { findApiKeyByHash, insertApiKey, type Pool } from '@fc/db';

export const DEMO_KEYS = [
  { token: 'fc_demo_admin_key', name: 'demo admin', role: 'admin' },
  { token: 'fc_demo_readonly_key', name: 'demo read-only', role: 'read-only' },
] as const;
export const DEMO_ADMIN_KEY = DEMO_KEYS[0].token;
export const DEMO_USER = { username: 'demo', password: 'fc-demo-password', email: 'demo@example.invalid' };
export const DEMO_PROJECT = 'demo';

export async function seedDemoKeys(pool: Pool): Promise<void> {
  for (const k of DEMO_KEYS) {
    const keyHash = hashApiKeyToken(k.token);
    if (await findApiKeyByHash(pool, keyHash)) continue;
    await insertApiKey(pool, {
      name: k.name,
      role: k.role,
      keyHash,
      keyPrefix: k.token.slice(0, 10),
      userId: null,
    });
  }
}

async function api(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${DEMO_ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path} answered ${r.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

interface Named {
  readonly id: number;
  readonly name?: string;
  readonly username?: string;
}

/** The demo user and project (with its jobset and a first evaluation), unless they exist. */
export async function seedDemoProject(base: string, repoDir: string): Promise<{ created: boolean }> {
  const users = (await api(base, 'GET', '/api/v1/users?limit=500')) as { items: Named[] };
  if (!users.items.some((u) => u.username === DEMO_USER.username)) {
    await api(base, 'POST', '/api/v1/users', { ...DEMO_USER, role: 'admin' });
  }
  const projects = (await api(base, 'GET', '/api/v1/projects?limit=500')) as { items: Named[] };
  if (projects.items.some((p) => p.name === DEMO_PROJECT)) return { created: false };
  const project = (await api(base, 'POST', '/api/v1/projects', {
    name: DEMO_PROJECT,
    display_name: "FC's demo",
    description: 'A local git repository with a few trivial jobs (tools/demo/jobs/release.nix)',
    repository_url: `file://${repoDir}`,
  })) as Named;
  const jobset = (await api(base, 'POST', `/api/v1/projects/${project.id}/jobsets`, {
    name: 'main',
    nix_expression: 'release.nix',
    check_interval: 60,
  })) as Named;
  await api(base, 'POST', '/api/v1/evaluations/trigger', { jobset_id: jobset.id });
  return { created: true };
}
