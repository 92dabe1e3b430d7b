// `#Microsoft.Media.MediaGraphRtspSource` properties as LVA defined them, plus `Udp`
// transport, which LVA lacked and cameras often need.
import type { ConfigIssue, JsonSchema, NodeSpec } from '../../types/node.ts';

export const UNSECURED_ENDPOINT = '#Microsoft.Media.MediaGraphUnsecuredEndpoint';
export const TLS_ENDPOINT = '#Microsoft.Media.MediaGraphTlsEndpoint';
export const USERNAME_PASSWORD = '#Microsoft.Media.MediaGraphUsernamePasswordCredentials';
export const HTTP_HEADER = '#Microsoft.Media.MediaGraphHttpHeaderCredentials';

const boolString: JsonSchema = { type: ['string', 'boolean'] };

export const endpointSchema: JsonSchema = {
  type: 'object',
  required: ['@type', 'url'],
  additionalProperties: false,
  properties: {
    '@type': { enum: [UNSECURED_ENDPOINT, TLS_ENDPOINT] },
    url: { type: 'string', minLength: 1 },
    credentials: {
      type: 'object',
      required: ['@type'],
      additionalProperties: false,
      properties: {
        '@type': { enum: [USERNAME_PASSWORD, HTTP_HEADER] },
        username: { type: 'string' },
        password: { type: 'string' },
        headerName: { type: 'string' },
        headerValue: { type: 'string' },
      },
    },
    trustedCertificates: {
      type: 'object',
      required: ['certificates'],
      additionalProperties: false,
      properties: {
        '@type': { enum: ['#Microsoft.Media.MediaGraphPemCertificateList'] },
        certificates: { type: 'array', items: { type: 'string' } },
      },
    },
    validationOptions: {
      type: 'object',
      additionalProperties: false,
      properties: { ignoreHostname: boolString, ignoreSignature: boolString },
    },
  },
};

export const rtspSourceSchema: JsonSchema = {
  type: 'object',
  required: ['endpoint'],
  properties: {
    endpoint: endpointSchema,
    transport: {
      enum: ['Tcp', 'Http', 'Udp'],
      description: 'Tcp: RTP interleaved on the RTSP connection (default). Http: RTSP tunnelled over HTTP. Udp: RTP over UDP (mediagraph extension).',
    },
  },
};

export interface RtspSourceConfig extends NodeSpec {
  readonly endpoint: {
    readonly '@type': string;
    readonly url: string;
    readonly credentials?: { readonly '@type': string; readonly username?: string; readonly password?: string };
    readonly trustedCertificates?: { readonly certificates: readonly string[] };
    readonly validationOptions?: { readonly ignoreHostname?: string | boolean; readonly ignoreSignature?: string | boolean };
  };
  readonly transport?: 'Tcp' | 'Http' | 'Udp';
}

export function checkRtspSource(config: RtspSourceConfig, unresolved: ReadonlySet<string>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ep = config.endpoint;
  if (!ep || typeof ep.url !== 'string' || unresolved.has('/endpoint/url')) return issues;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(ep.url)?.[1]?.toLowerCase();
  const allowed = ep['@type'] === TLS_ENDPOINT ? ['rtsps', 'rtsp'] : ['rtsp'];
  if (!scheme || !allowed.includes(scheme)) {
    issues.push({
      pointer: '/endpoint/url',
      code: 'RtspEndpointUrlInvalidScheme',
      // the URL itself may hold credentials: name only its scheme
      message: `endpoint URL scheme must be ${allowed.map((s) => `${s}://`).join(' or ')}${scheme ? `, not ${scheme}://` : ''}`,
    });
  }
  const c = ep.credentials;
  if (c && c['@type'] === USERNAME_PASSWORD) {
    if (typeof c.username !== 'string')
      issues.push({ pointer: '/endpoint/credentials/username', code: 'PropertyRequired', message: 'username is required for UsernamePassword credentials' });
    if (typeof c.password !== 'string')
      issues.push({ pointer: '/endpoint/credentials/password', code: 'PropertyRequired', message: 'password is required for UsernamePassword credentials' });
  }
  return issues;
}
