// The `rel="next"` target of an HTTP Link header (RFC 8288), as GitHub and Gitea paginate lists.

/** The next page's URL, or undefined on the last page (or without a Link header). */
export function nextPageUrl(link: string | null | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!match) continue;
    const rels = /;\s*rel\s*=\s*"?([^";]*)"?/i.exec(match[2]!)?.[1]?.toLowerCase().split(/\s+/) ?? [];
    if (rels.includes('next')) return match[1];
  }
  return undefined;
}
