// What a forge push webhook needs to choose jobsets: each enabled jobset of the project with the
// repositories it fetches (the project's repository when the expression lives there, and its git
// inputs) and the branch it follows in each.
import { z } from 'zod';
import type { Queryable } from '../pool';
import { queryRows } from '../sql';

export const webhookJobsetRow = z.object({
  id: z.number(),
  name: z.string(),
  /** url + branch (null = the remote's default branch) of every git repository the jobset fetches. */
  sources: z.array(z.object({ url: z.string(), branch: z.string().nullable() })),
});
export type WebhookJobsetRow = z.output<typeof webhookJobsetRow>;

export async function webhookJobsetsOfProject(db: Queryable, projectId: number): Promise<WebhookJobsetRow[]> {
  return queryRows(
    db,
    webhookJobsetRow,
    `SELECT j.id, j.name,
       (CASE WHEN j.nix_expression_input IS NULL
             THEN jsonb_build_array(jsonb_build_object('url', coalesce(j.repository_url, p.repository_url), 'branch', j.branch))
             ELSE '[]'::jsonb END)
       || coalesce((SELECT jsonb_agg(jsonb_build_object('url', i.value, 'branch', i.branch) ORDER BY i.name)
                    FROM jobset_inputs i WHERE i.jobset_id = j.id AND i.type = 'git'), '[]'::jsonb) AS sources
     FROM jobsets j JOIN projects p ON p.id = j.project_id
     WHERE j.project_id = $1 AND j.state <> 'disabled'
     ORDER BY j.id`,
    [projectId],
  );
}
