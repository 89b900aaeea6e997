// Credentials in repository URLs (https://user:token@host/...) never reach logs or error messages.

/** Replaces the user-info part of every URL in `text` with "***". */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}
