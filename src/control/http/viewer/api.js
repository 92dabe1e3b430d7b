// JSON from the host's API, with its error message (OData shape) when it answers an error.
export async function getJson(url) {
  const r = await fetch(url, { headers: { accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body?.error?.message ?? `${url}: HTTP ${r.status}`);
  return body;
}
