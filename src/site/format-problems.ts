// One line per problem of a site file, as `validate` prints a topology's: `<file>#<pointer>: <message> [<code>]`.
import { Redactor } from '../runtime/redact.ts';
import type { SiteProblem } from './load-site.ts';

export function formatSiteProblems(file: string, problems: readonly SiteProblem[], secrets: readonly string[]): string[] {
  const redactor = new Redactor();
  for (const s of secrets) redactor.add(s);
  return problems.map((p) => redactor.text(`${p.warning ? 'warning: ' : ''}${file}#${p.pointer}: ${p.message} [${p.code}]`));
}
