// Credentials in URLs (https://user:token@host/...) never reach logs, error messages, or answers to
// those who may not edit the project they belong to.

/**
 * Replaces the user-info part of every URL in `text` with "***" (up to the last "@" before the
 * host, so a password holding an unencoded "@" goes whole).
 */
export function redactCredentials(text: string): string {
  return (
    text
      .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s?#]*@/gi, '$1***@')
      // scp-like `user:password@host:path`, which git takes as ssh, password and all.
      .replace(/(^|[\s'"(=])[^\s/@:'"()=]+:[^\s/@'"()]+@(?=[a-z0-9.-]+:)/gi, '$1***@')
  );
}
