// Guardrail for a repository that stands alone: no code, test, bench, fault scenario, script,
// doc or committed result names a folder outside the repository (a build machine's work
// folder, a home folder, a temp-folder fixture, a sibling checkout) or a document that is not
// in it. The rules and the allow-list: scripts/check-paths/rules.ts.
// Prints one line per finding and exits 1 if any.
import { REPO_ROOT } from './repo-paths.ts';
import { scanRepository } from './check-paths/repository.ts';

const { filesChecked, problems } = scanRepository(REPO_ROOT);
for (const p of problems) console.log(p);
if (problems.length > 0) {
  console.log(`${problems.length} path(s) outside the repository (what is allowed, and why: scripts/check-paths/rules.ts)`);
  process.exit(1);
}
console.log(`paths ok (${filesChecked} files)`);
