// JSON Schemas of the documents around the nodes: topology and instance envelopes, parameter
// declarations, node inputs. Node-specific properties come from each type's configSchema;
// `fullTopologySchema` joins both for editors (schemas/topology.schema.json is generated from it).
import type { JsonSchema, NodeDefinition } from '../types/node.ts';
import { PARAMETER_TYPES } from './model.ts';
import { editorNodeSchema } from './api-version.ts';

export const NAME_PATTERN = '^(?=.{1,32}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$';

/**
 * Node names become folder names (the segmenter's and the cache's), so they may not hold a
 * path separator or a control character, nor be `.` or `..`. LVA only caps their length (64).
 */
export const NODE_NAME_PATTERN = '^(?!\\.{1,2}$)[^/\\\\\\u0000-\\u001f\\u007f]+$';

export const outputSelectorSchema: JsonSchema = {
  type: 'object',
  required: ['property', 'operator', 'value'],
  additionalProperties: false,
  properties: {
    property: { enum: ['mediaType'] },
    operator: { enum: ['is', 'isNot'] },
    value: { enum: ['video', 'audio', 'application'] },
  },
};

export const nodeInputSchema: JsonSchema = {
  type: 'object',
  required: ['nodeName'],
  additionalProperties: false,
  properties: {
    nodeName: { type: 'string', minLength: 1 },
    outputSelectors: { type: 'array', items: outputSelectorSchema },
  },
};

/** Properties every node has; the rest is its type's configSchema. */
export const nodeBaseSchema: JsonSchema = {
  type: 'object',
  required: ['@type', 'name'],
  properties: {
    '@type': { type: 'string', minLength: 1 },
    name: { type: 'string', minLength: 1, maxLength: 64, pattern: NODE_NAME_PATTERN },
    inputs: { type: 'array', items: nodeInputSchema },
  },
};

export const parameterDeclarationSchema: JsonSchema = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$' },
    type: { enum: PARAMETER_TYPES },
    description: { type: 'string' },
    default: { type: ['string', 'number', 'boolean'] },
  },
};

const systemDataSchema: JsonSchema = {
  type: 'object',
  properties: { createdAt: { type: 'string' }, lastModifiedAt: { type: 'string' } },
};

/** What topologies and instances share (LVA's resource envelope); `properties` is their own. */
function resourceEnvelope(properties: JsonSchema): JsonSchema {
  return {
    type: 'object',
    required: ['name', 'properties'],
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      '@apiVersion': { enum: ['1.0', '2.0'] },
      name: { type: 'string', pattern: NAME_PATTERN },
      systemData: systemDataSchema,
      properties,
    },
  };
}

export const topologyEnvelopeSchema: JsonSchema = resourceEnvelope({
  type: 'object',
  required: ['sources', 'sinks'],
  additionalProperties: false,
  properties: {
    description: { type: 'string' },
    parameters: { type: 'array', items: parameterDeclarationSchema },
    sources: { type: 'array', minItems: 1, items: nodeBaseSchema },
    processors: { type: 'array', items: nodeBaseSchema },
    sinks: { type: 'array', minItems: 1, items: nodeBaseSchema },
  },
});

export const instanceSchema: JsonSchema = resourceEnvelope({
  type: 'object',
  required: ['topologyName'],
  additionalProperties: false,
  properties: {
    topologyName: { type: 'string', pattern: NAME_PATTERN },
    description: { type: 'string' },
    parameters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'value'],
        additionalProperties: false,
        properties: { name: { type: 'string', minLength: 1 }, value: { type: ['string', 'number', 'boolean'] } },
      },
    },
    state: { enum: ['Inactive', 'Activating', 'Active', 'Deactivating'] },
  },
});

const nodeSchemas = new WeakMap<NodeDefinition, JsonSchema>();

/**
 * One node object of a given type: base properties + the type's own, nothing else. One object
 * per type, so the validator compiled for it is reused (compiling costs milliseconds per node).
 */
export function nodeSchemaFor(definition: NodeDefinition): JsonSchema {
  let schema = nodeSchemas.get(definition);
  if (!schema) {
    schema = buildNodeSchema(definition);
    nodeSchemas.set(definition, schema);
  }
  return schema;
}

function buildNodeSchema(definition: NodeDefinition): JsonSchema {
  const own = (definition.configSchema['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = (definition.configSchema['required'] ?? []) as string[];
  const base = nodeBaseSchema['properties'] as Record<string, JsonSchema>;
  return {
    type: 'object',
    description: definition.description,
    required: ['@type', 'name', ...(definition.role === 'source' ? [] : ['inputs']), ...required],
    additionalProperties: false,
    properties: { ...base, '@type': { const: definition.type }, ...own },
  };
}

/** The topology schema with every registered node type, for `schemas/` and editors. */
export function fullTopologySchema(definitions: readonly NodeDefinition[]): JsonSchema {
  const section = (role: string): JsonSchema => ({
    type: 'array',
    items: { oneOf: definitions.filter((d) => d.role === role).map((d) => editorNodeSchema(d.type, nodeSchemaFor(d))) },
  });
  const props = (topologyEnvelopeSchema['properties'] as Record<string, JsonSchema>)['properties'] as JsonSchema;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://mediagraph.dev/schemas/topology.schema.json',
    title: 'mediagraph topology (LVA media graph topology, @apiVersion 1.0 and 2.0)',
    ...topologyEnvelopeSchema,
    properties: {
      ...(topologyEnvelopeSchema['properties'] as Record<string, JsonSchema>),
      properties: {
        ...props,
        properties: {
          ...(props['properties'] as Record<string, JsonSchema>),
          sources: { ...section('source'), minItems: 1 },
          processors: section('processor'),
          sinks: { ...section('sink'), minItems: 1 },
        },
      },
    },
  };
}
