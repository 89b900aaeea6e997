// What FC knows to be secret for a jobset — the values of its secret inputs and the credentials in
// the URLs it uses (its repository, its inputs, its declarative spec) — is replaced by SECRET_MARKER
// wherever an expression or a build prints it: evaluation errors, per-job errors, build and step logs,
// as they are stored, so no reader (anonymous API and dashboard answers, live log streams,
// notifications) can see it. With redactCredentials (any URL's user-info) this is the one rule for
// secrets in text FC shows.
import { redactCredentials } from './redact-credentials';

export const SECRET_MARKER = '***';
/** Shorter values are not searched for: "true" or "1" would hide ordinary words and numbers. */
export const MIN_SECRET_LENGTH = 4;

export interface SecretSources {
  /** The values of the jobset's inputs marked secret. */
  readonly secretValues: readonly string[];
  /** Texts that may hold URLs with credentials: repository URLs, other inputs' values. */
  readonly urls: readonly string[];
}

const USER_INFO = /[a-z][a-z0-9+.-]*:\/\/([^/\s?#]*)@/gi;

/**
 * Every text to hide, longest first (so a secret holding another goes whole): each secret value and
 * each line of a multi-line one; each URL's user-info, its password, or its user name when it has no
 * password (a token given as the user), as written and percent-decoded.
 */
export function secretsOf(sources: SecretSources): string[] {
  const found = new Set<string>();
  const add = (s: string) => {
    const t = s.trim();
    if (t.length >= MIN_SECRET_LENGTH) found.add(t);
  };
  for (const value of sources.secretValues) {
    add(value);
    for (const line of value.split('\n')) add(line);
  }
  for (const text of sources.urls) {
    for (const [, userInfo = ''] of text.matchAll(USER_INFO)) {
      const colon = userInfo.indexOf(':');
      const parts = colon < 0 ? [userInfo] : [userInfo, userInfo.slice(colon + 1)];
      for (const part of parts) {
        add(part);
        add(percentDecoded(part));
      }
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

export type Redact = (text: string) => string;

/** Replaces each of `secrets` (secretsOf) in a text by SECRET_MARKER, then every URL's user-info. */
export function secretRedactor(secrets: readonly string[]): Redact {
  return (text) => {
    let shown = text;
    for (const secret of secrets) if (shown.includes(secret)) shown = shown.split(secret).join(SECRET_MARKER);
    return redactCredentials(shown);
  };
}

function percentDecoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
