// What an answer may show of a project's credentials: the one place the API and the dashboard decide
// it. Those who may edit projects (create-projects, admin) see everything; anyone else sees URLs
// without their user-info (https://***@host/...) and no value of a secret input.
import { Permission, rolesGrant } from '@fc/auth';
import { redactCredentials } from '@fc/core';
import type { Principal } from '../auth/principal';

export interface Disclosure {
  /** Credentials in URLs and the values of secret inputs. */
  readonly credentials: boolean;
}

/** May the caller see the credentials of the projects they could edit (create-projects grants editing them all)? */
export function disclosureFor(principal: Principal | undefined): Disclosure {
  return { credentials: principal !== undefined && rolesGrant(principal.roles, Permission.CreateProjects) };
}

export function shownText(text: string, d: Disclosure): string;
export function shownText(text: string | null, d: Disclosure): string | null;
export function shownText(text: string | null, d: Disclosure): string | null {
  return text === null || d.credentials ? text : redactCredentials(text);
}

/** A jobset input's value: null for a secret one the caller may not see. */
export function shownInputValue(input: { value: string; secret: boolean }, d: Disclosure): string | null {
  if (input.secret && !d.credentials) return null;
  return shownText(input.value, d);
}

/**
 * An evaluation's input revisions: for those who may not see credentials, every string in them
 * redacted, and inputs that are secret (marked so when evaluated, or now) without their value or URL.
 */
export function shownInputRevisions(
  revisions: Record<string, unknown>,
  secretInputs: readonly string[],
  d: Disclosure,
): Record<string, unknown> {
  if (d.credentials) return revisions;
  const shown: Record<string, unknown> = {};
  for (const [name, revision] of Object.entries(revisions)) {
    const r = redactStrings(revision);
    const secret = secretInputs.includes(name) || (isRecord(r) && r['secret'] === true);
    shown[name] = secret && isRecord(r) ? withoutValue(r) : r;
  }
  return shown;
}

/** A secret input's revision without its value, URL, or the hash of its value (a short secret's hash is as good as the secret). */
function withoutValue(r: Record<string, unknown>): Record<string, unknown> {
  const { value: _value, uri: _uri, sha256: _sha256, ...rest } = r;
  return { ...rest, secret: true };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function redactStrings(v: unknown): unknown {
  if (typeof v === 'string') return redactCredentials(v);
  if (Array.isArray(v)) return v.map(redactStrings);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactStrings(x)]));
  return v;
}
