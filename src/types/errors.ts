// One error catalog with stable codes, shared by every layer (graph validation, runtime, control). Every code
// is documented in docs/errors.md; a test checks that the two agree. Statuses follow LVA's direct methods.

export const ERROR_CATALOG = {
  // 400 — the request or the definition is wrong
  InvalidJson: { status: 400, top: 'BadRequest', doc: 'The document is not valid JSON; the message gives the line and column.' },
  InvalidResource: { status: 400, top: 'InvalidResource', doc: 'The payload does not have the shape of a topology or instance.' },
  DocumentLimitExceeded: {
    status: 400,
    top: 'BadRequest',
    doc: 'A topology or instance passes a size limit: nesting depth, JSON values, text, nodes, inputs per node or parameters (see docs/reliability.md, "Isolation and hostile input").',
  },
  ApiVersionNotSupported: { status: 400, top: 'InvalidVersion', doc: '`@apiVersion` is neither 1.0 nor 2.0.' },
  InvalidName: {
    status: 400,
    top: 'InvalidResource',
    doc: 'A topology or instance name breaks the name rules (alphanumerics and dashes, no leading or trailing dash, at most 32 characters).',
  },
  GraphValidationError: {
    status: 400,
    top: 'BadRequest',
    doc: 'The graph is malformed: duplicate or missing node, cycle, partition, a source with inputs, a sink without inputs, a second consumer on a single-consumer output (two asset sinks on one durable cache).',
  },
  ModuleValidationError: {
    status: 400,
    top: 'BadRequest',
    doc: 'A node breaks a rule of its type: unknown type, property outside its range, port kinds that do not match, too few or too many inputs on a port.',
  },
  PropertyValueInvalid: { status: 400, top: 'BadRequest', doc: 'A property value has the wrong type or is out of range.' },
  PropertyValueInvalidPattern: { status: 400, top: 'BadRequest', doc: 'A property value does not match the required pattern (e.g. assetNamePattern).' },
  PropertyRequired: { status: 400, top: 'BadRequest', doc: 'A required property is missing.' },
  PropertyUnknown: { status: 400, top: 'BadRequest', doc: 'A property is not defined for this node type.' },
  RtspEndpointUrlInvalidScheme: { status: 400, top: 'BadRequest', doc: 'The RTSP endpoint URL does not start with rtsp:// (or rtsps:// for a TLS endpoint).' },
  ParameterMissing: { status: 400, top: 'BadRequest', doc: 'A parameter without a default was given no value by the instance.' },
  ParameterUnknown: {
    status: 400,
    top: 'BadRequest',
    doc: 'The instance sets a parameter the topology does not declare, or the topology references an undeclared `${name}`.',
  },
  ParameterTypeMismatch: { status: 400, top: 'BadRequest', doc: 'A parameter value does not convert to its declared type (Int, Double, Bool).' },
  ParameterDeclarationInvalid: {
    status: 400,
    top: 'BadRequest',
    doc: 'A parameter declaration is malformed (name, type, duplicate), or a SecretString default is the mask `***` (as GraphTopologyGet shows it) with no stored default behind it to keep.',
  },
  // 404
  NotFound: { status: 404, top: 'NotFound', doc: 'The named topology or instance does not exist.' },
  TopologyNotFound: { status: 404, top: 'NotFound', doc: 'The instance names a topology that does not exist.' },
  MethodNotFound: { status: 404, top: 'NotFound', doc: "The direct method name is not one of LVA's methods." },
  // 409 — conflicts with state
  GraphTopologyInUse: { status: 409, top: 'Conflict', doc: 'The topology is referenced by an instance and cannot be deleted.' },
  TopologyChangeNotAllowed: {
    status: 409,
    top: 'Conflict',
    doc: 'The topology change is refused: a referencing instance is active, a new parameter lacks a default, or a removed parameter is still set by an instance. Setting the identical topology again is never refused.',
  },
  OperationNotAllowedInState: {
    status: 409,
    top: 'Conflict',
    doc: 'The instance is not in a state that allows the operation; the message lists the allowed and the actual states.',
  },
  QuotaExceeded: { status: 409, top: 'Conflict', doc: 'The host holds its maximum number of topologies or instances.' },
  ConcurrentModification: {
    status: 409,
    top: 'Conflict',
    doc: 'Fleet mode: another host changed the same topology or instance since this host last read it (the shared store refused the conditional write); read it again and retry.',
  },
  ResourceValidationError: {
    status: 409,
    top: 'Conflict',
    doc: 'A resource the instance needs is not in a valid state: activation refused, e.g. a cache folder another live process uses or that cannot be created.',
  },
  // activation and run time
  NodeTypeNotSupported: {
    status: 400,
    top: 'BadRequest',
    doc: 'The node type validates but is not implemented yet; activation fails instead of running silently without it.',
  },
  ActivationFailed: { status: 500, top: 'InternalServerError', doc: 'A node could not start; the message says which and why.' },
  NodeFailed: {
    status: 500,
    top: 'InternalServerError',
    doc: 'A running node failed; the instance restarts its pipeline with backoff (InstanceRestarting) and the error is in its status (e.g. `cannot open the media cache …` with too many open files). Other instances are not affected.',
  },
  RegistrationInvalid: { status: 400, top: 'BadRequest', doc: 'A node type registration is malformed or its `@type` is already registered.' },
  InternalError: { status: 500, top: 'InternalServerError', doc: 'An unexpected error; the message says what failed.' },
} as const satisfies Record<string, { status: number; top: string; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export interface ErrorDetail {
  readonly code: ErrorCode;
  /** JSON pointer into the document the error is about (`/properties/sinks/0/segmentLength`). */
  readonly target: string;
  readonly message: string;
}

/** An error the host reports to callers: a stable code, a status, and details with targets. */
export class MediaGraphError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];
  constructor(code: ErrorCode, message: string, details: readonly ErrorDetail[] = []) {
    super(message);
    this.name = 'MediaGraphError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_CATALOG[this.code].status;
  }
  /** LVA's OData error body. `target` keeps the JSON pointer, LVA used JSONPath. */
  toODataError(): { error: { code: string; message: string; details: { code: string; target: string; message: string }[] } } {
    return {
      error: {
        code: ERROR_CATALOG[this.code].top,
        message: this.message,
        // the specific code is always among the details (LVA put e.g. GraphTopologyInUse there)
        details: [...this.details, ...(this.details.some((d) => d.code === this.code) ? [] : [{ code: this.code, target: '', message: this.message }])].map(
          (d) => ({
            code: d.code,
            target: d.target,
            message: d.message,
          }),
        ),
      },
    };
  }
}

/** A typed "wrong state" error listing allowed and actual states. */
export function wrongState(what: string, operation: string, actual: string, allowed: readonly string[]): MediaGraphError {
  return new MediaGraphError('OperationNotAllowedInState', `cannot ${operation} ${what}: it is ${actual}; allowed when ${allowed.join(' or ')}`);
}
