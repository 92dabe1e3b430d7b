// `--cache-quota-mib` and `--cache-min-free-mib` of `serve` and `run`: the host cache quota
// (docs/reliability.md, Host cache quota) from the command line.
import type { HostOptions } from '../../runtime/host.ts';

export const CACHE_QUOTA_OPTIONS = {
  'cache-quota-mib': { type: 'string' },
  'cache-min-free-mib': { type: 'string' },
} as const;

function positiveMiB(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n * 1024 * 1024) || n < 1)
    throw new Error(`--${flag} must be a positive whole number of MiB, not ${JSON.stringify(text)}`);
  return n;
}

/** The quota the flags ask for (flags win over `fallback`, e.g. the site file's); throws one line on a bad value. */
export function cacheQuotaFromFlags(
  values: { readonly 'cache-quota-mib'?: string; readonly 'cache-min-free-mib'?: string },
  fallback: HostOptions['cacheQuota'] = {},
): HostOptions['cacheQuota'] {
  const maximumSizeMiB = positiveMiB('cache-quota-mib', values['cache-quota-mib']) ?? fallback.maximumSizeMiB;
  const minimumFreeMiB = positiveMiB('cache-min-free-mib', values['cache-min-free-mib']) ?? fallback.minimumFreeMiB;
  return {
    ...(maximumSizeMiB !== undefined ? { maximumSizeMiB } : {}),
    ...(minimumFreeMiB !== undefined ? { minimumFreeMiB } : {}),
  };
}
