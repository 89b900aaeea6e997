// Search: projects and jobsets by name; jobs and builds by name (3+ characters); builds by store
// path or hash prefix.
import {
  searchBuildsByName,
  searchBuildsByPathPrefix,
  searchJobs,
  searchJobsets,
  searchProjects,
  type BuildHit,
  type JobHit,
  type JobsetHit,
  type Pool,
  type ProjectHit,
} from '@fc/db';

const STORE_DIR = '/nix/store/';
/** Nix's base-32 alphabet: a bare hash (or its start) is searched as a store path prefix. */
const HASH_PREFIX = /^[0-9abcdfghijklmnpqrsvwxyz]{6,32}$/;
const TRIGRAM_MIN = 3;

export interface SearchResult {
  readonly projects: ProjectHit[];
  readonly jobsets: JobsetHit[];
  readonly jobs: JobHit[];
  readonly builds: BuildHit[];
}

export class SearchService {
  constructor(private readonly pool: Pool) {}

  async search(text: string, limit: number, options: { builds: boolean }): Promise<SearchResult> {
    const q = text.trim();
    const pathPrefix = q.startsWith('/') ? q : HASH_PREFIX.test(q) ? STORE_DIR + q : undefined;
    const [projects, jobsets, jobs, builds] = await Promise.all([
      pathPrefix?.startsWith(STORE_DIR) ? [] : searchProjects(this.pool, q, limit),
      pathPrefix?.startsWith(STORE_DIR) ? [] : searchJobsets(this.pool, q, limit),
      q.length >= TRIGRAM_MIN && !q.startsWith('/') ? searchJobs(this.pool, q, limit) : [],
      !options.builds
        ? []
        : pathPrefix
          ? searchBuildsByPathPrefix(this.pool, pathPrefix, limit)
          : q.length >= TRIGRAM_MIN
            ? searchBuildsByName(this.pool, q, limit)
            : [],
    ]);
    return { projects, jobsets, jobs, builds };
  }
}
