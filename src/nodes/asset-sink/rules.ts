// Value rules shared by the asset sink and the native nodes it expands into.
import type { ConfigIssue } from '../../types/node.ts';
import { containerNameForAsset, InvalidContainerNameError } from '../../storage/blob/naming.ts';
import { mentionsSystemVariable } from '../name-pattern-rule.ts';

/** LVA's asset name rule: 1–260 characters, none of < > % & : \ / ? * + . ' */
const ASSET_NAME = /^[^<>%&:\\/?*+.']{1,260}$/;

/**
 * `pattern`: the pattern the system-variable rule is judged on (namePatternToJudge), or
 * undefined where the rule does not apply; `resolved`: the name after every substitution.
 */
export function checkAssetNamePattern(resolved: unknown, pattern: string | undefined): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (pattern !== undefined && !mentionsSystemVariable(pattern)) {
    issues.push({
      pointer: '/assetNamePattern',
      code: 'PropertyValueInvalidPattern',
      message: `assetNamePattern must contain at least one system variable such as \${System.GraphInstanceName} (in @apiVersion 2.0; got ${JSON.stringify(pattern.slice(0, 80))})`,
    });
  }
  if (typeof resolved === 'string' && !ASSET_NAME.test(resolved)) {
    issues.push({
      pointer: '/assetNamePattern',
      code: 'PropertyValueInvalidPattern',
      message: `asset name must be 1–260 characters without < > % & : \\ / ? * + . ' (got ${resolved.length} characters${/[<>%&:\\/?*+.']/.test(resolved) ? ' with a forbidden one' : ''})`,
    });
  } else if (typeof resolved === 'string') {
    // the asset is stored as a Blob container: a name it cannot take must fail here (at
    // activation, once every variable is known), not later as a failed node
    try {
      containerNameForAsset(resolved);
    } catch (e) {
      if (!(e instanceof InvalidContainerNameError)) throw e;
      issues.push({ pointer: '/assetNamePattern', code: 'PropertyValueInvalidPattern', message: e.message });
    }
  }
  return issues;
}

export function checkCacheSize(value: unknown, pointer: string): ConfigIssue[] {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\s*\d+\s*$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    return [
      {
        pointer,
        code: 'PropertyValueInvalid',
        message: `localMediaCacheMaximumSizeMiB must be a positive integer number of MiB, not ${JSON.stringify(value)}`,
      },
    ];
  }
  return [];
}
