// LVA 2.0's rule that an asset or file name pattern contains a `${System.*}` variable, judged
// where LVA judged it (docs/validation.md, "When each rule is judged"): not in @apiVersion 1.0
// documents (LVA 1.0 had no such rule: its IoT Central gateway named assets from a parameter
// with no variable in it), on the pattern as written when it is literal, and on what the
// parameters made of it once an instance gives them values (instance set and activation).
import type { CheckContext } from '../types/node.ts';

const REFERENCE = /\$\{([^}]*)\}/g;

function references(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => (m[1] ?? '').trim().toLowerCase());
}

export function mentionsSystemVariable(text: string): boolean {
  return references(text).some((r) => r.startsWith('system.'));
}

function mentionsParameter(text: string): boolean {
  return references(text).some((r) => !r.startsWith('system.'));
}

/** The text the rule is judged on, or undefined when it is not judged (now or ever). */
export function namePatternToJudge(property: string, context: Partial<CheckContext> | undefined): string | undefined {
  if (context?.apiVersion === '1.0') return undefined;
  const written = context?.raw?.[property];
  if (typeof written !== 'string') return undefined;
  if (!mentionsParameter(written)) return written;
  const substituted = context?.patterns?.[property];
  return typeof substituted === 'string' && !mentionsParameter(substituted) ? substituted : undefined;
}
