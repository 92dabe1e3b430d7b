// LVA's two document versions. A 1.0 document is read as LVA 1.x read it and mapped onto the
// 2.0 form the nodes implement (the 1.0 file sink's `filePathPattern`); what only one version
// had is accepted or refused by the document's `@apiVersion` (docs/validation.md).
import type { ConfigIssue, JsonSchema } from '../types/node.ts';
import type { ValidationIssue } from './model.ts';

export type ApiVersion = '1.0' | '2.0';

/** A document without `@apiVersion` is read as 2.0 (`mediagraph validate` requires one). */
export function apiVersionOf(document: Record<string, unknown>): ApiVersion {
  return document['@apiVersion'] === '1.0' ? '1.0' : '2.0';
}

/**
 * The quota a 1.0 file sink gets: 1.0 had no `maximumSizeMiB` and let files fill the disk; the
 * 2.0 form deletes the oldest files past it.
 */
export const V1_FILE_SINK_MAXIMUM_SIZE_MIB = 2048;

const FILE_SINK = '#microsoft.media.mediagraphfilesink';
const FRAME_RATE_FILTER = '#microsoft.media.mediagraphframeratefilterprocessor';
const IMAGE_FORMAT_ENCODED = '#microsoft.media.mediagraphimageformatencoded';
const FILE_SINK_V2_PROPERTIES = ['baseDirectoryPath', 'fileNamePattern', 'maximumSizeMiB'] as const;

type NodeObject = Record<string, unknown>;

/** One node in its three views, as the validator holds them (pointers relative to the node). */
export interface NodeViews {
  /** After parameter and system-variable substitution: what runs. */
  readonly spec: NodeObject;
  /** As written (keys normalised), before substitution. */
  readonly written: NodeObject;
  /** After parameter substitution, `${System.*}` kept; only with an instance. */
  readonly patterns?: NodeObject;
  readonly unresolved: ReadonlySet<string>;
}

export interface VersionedNode extends NodeViews {
  readonly issues: readonly ConfigIssue[];
  /** Pointers of generated properties → the property the user wrote. */
  readonly renamed: ReadonlyMap<string, string>;
  /** Pointers whose schema and rule issues are already explained by `issues`. */
  readonly suppressed: ReadonlySet<string>;
}

function isObject(v: unknown): v is NodeObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyOf(node: NodeObject, name: string): string | undefined {
  return Object.keys(node).find((k) => k.toLowerCase() === name.toLowerCase());
}

function sameType(value: unknown, type: string): boolean {
  return typeof value === 'string' && value.toLowerCase() === type;
}

/** `/var/media/clip-${System.DateTime}` → folder `/var/media`, name `clip-${System.DateTime}`. */
export function splitFilePathPattern(pattern: string): { directory: string; fileName: string } {
  const slash = pattern.lastIndexOf('/');
  if (slash < 0) return { directory: '', fileName: pattern };
  return { directory: slash === 0 ? '/' : pattern.slice(0, slash), fileName: pattern.slice(slash + 1) };
}

function withV2FileSink(node: NodeObject | undefined, key: string): NodeObject | undefined {
  if (!node) return undefined;
  const { [key]: pattern, ...rest } = node;
  if (typeof pattern !== 'string') return rest;
  const { directory, fileName } = splitFilePathPattern(pattern);
  return { ...rest, baseDirectoryPath: directory, fileNamePattern: fileName, maximumSizeMiB: String(V1_FILE_SINK_MAXIMUM_SIZE_MIB) };
}

function fileSinkV1(views: NodeViews): VersionedNode {
  const issues: ConfigIssue[] = [];
  const suppressed = new Set<string>();
  const v2Keys = FILE_SINK_V2_PROPERTIES.map((p) => keyOf(views.written, p)).filter((k): k is string => k !== undefined);
  const key = keyOf(views.written, 'filePathPattern');
  if (!key) {
    issues.push({
      pointer: '/filePathPattern',
      code: 'PropertyRequired',
      message: v2Keys.length
        ? 'an @apiVersion 1.0 file sink takes filePathPattern (an absolute path pattern); baseDirectoryPath, fileNamePattern and maximumSizeMiB are the 2.0 form: set "@apiVersion": "2.0" to use them'
        : 'required property "filePathPattern" is missing (an absolute path pattern such as /var/media/clip-${System.DateTime})',
    });
    for (const p of FILE_SINK_V2_PROPERTIES) suppressed.add(`/${p}`);
    return { ...views, issues, renamed: new Map(), suppressed };
  }
  for (const k of v2Keys) {
    issues.push({ pointer: `/${k}`, code: 'PropertyUnknown', message: `"${k}" is a 2.0 property; an @apiVersion 1.0 file sink takes filePathPattern only` });
  }
  const at = `/${key}`;
  const value = views.spec[key];
  const unresolved = new Set(views.unresolved);
  if (typeof value !== 'string' || value.length === 0) {
    issues.push({ pointer: at, code: 'PropertyValueInvalid', message: 'filePathPattern must be a non-empty string' });
    for (const p of FILE_SINK_V2_PROPERTIES) suppressed.add(`/${p}`);
  } else if (views.unresolved.has(at)) {
    // judged once the instance gives the parameter a value
    unresolved.add('/baseDirectoryPath');
    unresolved.add('/fileNamePattern');
  } else {
    const { directory, fileName } = splitFilePathPattern(value);
    if (!directory.startsWith('/')) {
      issues.push({
        pointer: at,
        code: 'PropertyValueInvalid',
        message: 'filePathPattern must be an absolute path such as /var/media/clip-${System.DateTime}',
      });
      suppressed.add('/baseDirectoryPath');
    }
    if (fileName === '') {
      issues.push({ pointer: at, code: 'PropertyValueInvalid', message: 'filePathPattern must end with a file name, not with "/"' });
      suppressed.add('/fileNamePattern');
    }
  }
  return {
    spec: withV2FileSink(views.spec, key)!,
    written: withV2FileSink(views.written, key)!,
    patterns: withV2FileSink(views.patterns, key),
    unresolved,
    issues,
    renamed: new Map(FILE_SINK_V2_PROPERTIES.map((p) => [`/${p}`, at])),
    suppressed,
  };
}

function fileSinkV2(views: NodeViews): VersionedNode {
  const key = keyOf(views.written, 'filePathPattern');
  if (!key) return { ...views, issues: [], renamed: new Map(), suppressed: new Set() };
  const drop = (node: NodeObject | undefined): NodeObject | undefined => {
    if (!node) return undefined;
    const { [key]: _dropped, ...rest } = node;
    return rest;
  };
  return {
    spec: drop(views.spec)!,
    written: drop(views.written)!,
    patterns: drop(views.patterns),
    unresolved: views.unresolved,
    issues: [
      {
        pointer: `/${key}`,
        code: 'PropertyUnknown',
        message:
          'filePathPattern is the @apiVersion 1.0 form of the file sink; in 2.0 give baseDirectoryPath, fileNamePattern and maximumSizeMiB (or set "@apiVersion": "1.0")',
      },
    ],
    renamed: new Map(),
    // that one message says what the missing 2.0 properties are
    suppressed: new Set(FILE_SINK_V2_PROPERTIES.filter((p) => keyOf(views.written, p) === undefined).map((p) => `/${p}`)),
  };
}

const USERNAME_PASSWORD = '#microsoft.media.mediagraphusernamepasswordcredentials';
const IMAGE_FORMAT_RAW = '#microsoft.media.mediagraphimageformatraw';

/**
 * What LVA 2.0 removed, and what its schema made required where 1.0's did not: refused in 2.0
 * documents, with the replacement named.
 */
function removedIn2(type: string, views: NodeViews): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const endpoint = views.written['endpoint'];
  const credentials = isObject(endpoint) ? endpoint['credentials'] : undefined;
  if (isObject(credentials) && sameType(credentials['@type'], USERNAME_PASSWORD) && keyOf(credentials, 'password') === undefined) {
    issues.push({
      pointer: '/endpoint/credentials/password',
      code: 'PropertyRequired',
      message: 'required property "password" is missing: LVA 2.0 wants both username and password (give it through a SecretString parameter)',
    });
  }
  if (sameType(type, FRAME_RATE_FILTER)) {
    issues.push({
      pointer: '/@type',
      code: 'ModuleValidationError',
      message:
        'the frame rate filter is an @apiVersion 1.0 node type that LVA 2.0 removed: limit the rate with samplingOptions.maximumSamplesPerSecond on the extension node (or set "@apiVersion": "1.0")',
    });
  }
  const image = views.written['image'];
  const format = isObject(image) ? image['format'] : undefined;
  if (isObject(format) && sameType(format['@type'], IMAGE_FORMAT_RAW) && keyOf(format, 'pixelFormat') === undefined) {
    issues.push({
      pointer: '/image/format/pixelFormat',
      code: 'PropertyRequired',
      message: 'required property "pixelFormat" is missing: a 2.0 raw image format names its pixel format (Yuv420p, Rgb24, Bgr24, …)',
    });
  }
  if (isObject(format) && sameType(format['@type'], IMAGE_FORMAT_ENCODED)) {
    issues.push({
      pointer: '/image/format/@type',
      code: 'ModuleValidationError',
      message:
        'MediaGraphImageFormatEncoded is the @apiVersion 1.0 image format; 2.0 has #Microsoft.Media.MediaGraphImageFormatJpeg, …Bmp, …Png and …Raw (or set "@apiVersion": "1.0")',
    });
  }
  return issues;
}

/** Applies the document version's form and rules to one node of type `type`. */
export function nodeForVersion(type: string, version: ApiVersion, views: NodeViews): VersionedNode {
  if (sameType(type, FILE_SINK)) return version === '1.0' ? fileSinkV1(views) : fileSinkV2(views);
  return { ...views, issues: version === '2.0' ? removedIn2(type, views) : [], renamed: new Map(), suppressed: new Set() };
}

/**
 * A node type's schema for editors (schemas/topology.schema.json), where one schema serves
 * both versions: the file sink takes either its 1.0 `filePathPattern` or its 2.0 properties.
 * Validation itself maps the 1.0 form first and checks the 2.0 schema.
 */
export function editorNodeSchema(type: string, schema: JsonSchema): JsonSchema {
  if (!sameType(type, FILE_SINK)) return schema;
  const v2 = FILE_SINK_V2_PROPERTIES as readonly string[];
  return {
    ...schema,
    required: ((schema['required'] ?? []) as string[]).filter((r) => !v2.includes(r)),
    properties: {
      ...(schema['properties'] as Record<string, JsonSchema>),
      filePathPattern: {
        type: 'string',
        minLength: 1,
        description: `@apiVersion 1.0 only: one absolute path pattern (/var/media/clip-\${System.DateTime}), read as baseDirectoryPath + fileNamePattern with maximumSizeMiB ${V1_FILE_SINK_MAXIMUM_SIZE_MIB}`,
      },
    },
    oneOf: [
      { required: ['filePathPattern'], not: { anyOf: v2.map((p) => ({ required: [p] })) } },
      { required: [...v2], not: { required: ['filePathPattern'] } },
    ],
  };
}

/** AVA's names for LVA's node types where the rest of the name differs, not only the prefix. */
const AVA_RENAMED: Readonly<Record<string, string>> = {
  videosink: '#Microsoft.Media.MediaGraphAssetSink',
  cognitiveservicesvisionprocessor: '#Microsoft.Media.MediaGraphCognitiveServicesVisionExtension',
};

/**
 * Azure Video Analyzer renamed LVA's types (`#Microsoft.VideoAnalyzer.VideoSink` for
 * `#Microsoft.Media.MediaGraphAssetSink`); name the LVA type this host reads instead.
 */
export function avaTypeHint(type: string, known: readonly string[]): string | undefined {
  const m = /^#Microsoft\.VideoAnalyzer\.(\w+)$/i.exec(type);
  if (!m) return undefined;
  const short = m[1]!.toLowerCase();
  const lva = AVA_RENAMED[short] ?? known.find((k) => k.toLowerCase() === `#microsoft.media.mediagraph${short}`);
  const instead = lva ? `; use its LVA name "${lva}" (its properties may differ too)` : '';
  return ` (an Azure Video Analyzer type: this host reads LVA media graph documents${instead})`;
}

/** `mediagraph validate`: LVA's direct methods carried `@apiVersion` on every document. */
export function missingApiVersion(document: unknown, which: ValidationIssue['document']): ValidationIssue[] {
  if (!isObject(document) || Object.keys(document).some((k) => k.toLowerCase() === '@apiversion')) return [];
  return [
    {
      code: 'PropertyRequired',
      pointer: '/@apiVersion',
      message: `the ${which} has no "@apiVersion": LVA required one on every document ("1.0" or "2.0"; 1.0 documents are read with 1.0's rules)`,
      document: which,
    },
  ];
}
