// Topology and instance documents as LVA wrote them, after key normalisation.
import type { NodeDefinition, NodeSpec } from '../types/node.ts';
import type { ErrorCode } from '../types/errors.ts';

export type ParameterType = 'String' | 'SecretString' | 'Int' | 'Double' | 'Bool';
export const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'SecretString', 'Int', 'Double', 'Bool'];

export interface ParameterDeclaration {
  readonly name: string;
  readonly type: ParameterType;
  readonly description?: string;
  readonly default?: string;
}

export interface Topology {
  readonly '@apiVersion'?: string;
  readonly name: string;
  readonly systemData?: SystemData;
  readonly properties: {
    readonly description?: string;
    readonly parameters?: readonly ParameterDeclaration[];
    readonly sources: readonly NodeSpec[];
    readonly processors?: readonly NodeSpec[];
    readonly sinks: readonly NodeSpec[];
  };
}

export interface ParameterValue {
  readonly name: string;
  readonly value: string;
}

export type InstanceState = 'Inactive' | 'Activating' | 'Active' | 'Deactivating';

export interface Instance {
  readonly '@apiVersion'?: string;
  readonly name: string;
  readonly systemData?: SystemData;
  readonly properties: {
    readonly topologyName: string;
    readonly description?: string;
    readonly parameters?: readonly ParameterValue[];
    readonly state?: InstanceState;
  };
}

export interface SystemData {
  readonly createdAt: string;
  readonly lastModifiedAt: string;
}

export type NodeSection = 'sources' | 'processors' | 'sinks';
export const NODE_SECTIONS: readonly NodeSection[] = ['sources', 'processors', 'sinks'];
export const SECTION_ROLE = { sources: 'source', processors: 'processor', sinks: 'sink' } as const;

/** A problem found in a document: a stable code, a JSON pointer and a sentence. */
export interface ValidationIssue {
  readonly code: ErrorCode;
  /** JSON pointer (RFC 6901) into the document named by `document`. */
  readonly pointer: string;
  readonly message: string;
  readonly document: 'topology' | 'instance';
}

/** A node of a validated topology: where it is, its type (if known) and its substituted properties. */
export interface ValidatedNode {
  readonly section: NodeSection;
  readonly index: number;
  /** Pointer of the node object in the topology (`/properties/sinks/0`). */
  readonly pointer: string;
  readonly definition: NodeDefinition | undefined;
  /** After normalisation and substitution. */
  readonly spec: NodeSpec;
}
