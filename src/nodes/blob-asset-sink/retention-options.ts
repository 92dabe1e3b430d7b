// The retention properties an asset sink takes (optional: absent keeps media forever), shared by
// LVA's asset sink and the native sink it expands into.
import type { ConfigIssue } from '../../types/node.ts';
import { retentionPeriodProblem, retentionSizeProblem } from '../../storage/retention-policy.ts';

export const RETENTION_PROPERTIES = {
  retentionPeriod: { type: 'string', description: 'delete media older than this ISO-8601 duration (P30D, PT12H, PT10M); absent: keep forever' },
  retentionMaximumSizeMiB: {
    type: ['string', 'integer'],
    description: 'delete the oldest media while the asset holds more than this many MiB; absent: no bound',
  },
} as const;

export function retentionIssues(
  config: { readonly retentionPeriod?: unknown; readonly retentionMaximumSizeMiB?: unknown },
  unresolved: ReadonlySet<string> = new Set(),
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const unset = (v: unknown) => typeof v === 'string' && v.includes('${');
  const period = unresolved.has('/retentionPeriod') || unset(config.retentionPeriod) ? undefined : retentionPeriodProblem(config.retentionPeriod);
  if (period) issues.push({ pointer: '/retentionPeriod', code: 'PropertyValueInvalid', message: period });
  const size =
    unresolved.has('/retentionMaximumSizeMiB') || unset(config.retentionMaximumSizeMiB) ? undefined : retentionSizeProblem(config.retentionMaximumSizeMiB);
  if (size) issues.push({ pointer: '/retentionMaximumSizeMiB', code: 'PropertyValueInvalid', message: size });
  return issues;
}
