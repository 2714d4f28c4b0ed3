/**
 * Compiled validators for the TypeBox schemas of this package: one declaration gives the static
 * type (`Static<typeof X>`), the JSON Schema that Fastify's ajv checks HTTP bodies with and
 * publishes in the OpenAPI document, and (here) the compiled check used where no HTTP request
 * is involved: WebSocket messages, `config.json` files, batching settings read back from Redis.
 *
 * Messages name the field. A schema may carry `x-error-message` ("must be an integer in [1, 4096]"):
 * a refused value at or below it is reported as `<field> <x-error-message>`, so one sentence covers
 * every way a field can be wrong (wrong type, out of range, a bad array element). On an object the
 * message covers the object itself (not an object, or missing), not a bad field inside it.
 */
import { Kind, Type, TypeRegistry, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType, type ValueError } from '@sinclair/typebox/errors';

/** The annotation holding a field's message; an OpenAPI `x-` extension, so the document stays valid. */
export const ERROR_MESSAGE = 'x-error-message';

TypeRegistry.Set<{ enum: readonly string[] }>('StringEnum', (schema, value) => typeof value === 'string' && schema.enum.includes(value));

/**
 * A string out of a fixed list, written as `{ type: 'string', enum: [...] }` (OpenAPI 3.0 has no
 * `const`, which `Type.Union` of literals would emit).
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: 'StringEnum', type: 'string', enum: [...values] });
}

/** A compiled check of one schema. */
export interface SchemaValidator<T> {
  readonly schema: TSchema;
  /** True when `value` matches the schema. */
  check(value: unknown): value is T;
  /** Why `value` does not match, naming the field; undefined when it matches. */
  explain(value: unknown): SchemaProblem | undefined;
}

/** The first problem found: the JSON-pointer path of the bad value and a sentence naming it. */
export interface SchemaProblem {
  /** Path segments from the root (`['inputs', '0', 'shape']`); empty for the root itself. */
  path: string[];
  message: string;
}

/** Compiles `schema` once; keep the result at module level. */
export function compileValidator<T extends TSchema>(schema: T): SchemaValidator<Static<T>> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    schema,
    check: (value): value is Static<T> => compiled.Check(value),
    explain(value) {
      if (compiled.Check(value)) return undefined;
      const error = firstInFieldOrder(schema, compiled.Errors(value));
      if (!error) return { path: [], message: 'is not valid' };
      const path = error.path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      if (error.type === ValueErrorType.ObjectAdditionalProperties) {
        const parent = path.slice(0, -1);
        const known = Object.keys((schemaAt(schema, parent) as { properties?: object } | undefined)?.properties ?? {});
        const where = fieldLabel(parent);
        return { path, message: `${where ? `${where}: ` : ''}unknown field "${(path.at(-1) ?? '').slice(0, 40)}" (known: ${known.join(', ')})` };
      }
      for (let depth = path.length; depth >= 0; depth--) {
        const node = schemaAt(schema, path.slice(0, depth)) as Record<string, unknown> | undefined;
        // An object's message speaks for the object itself, not for a bad field inside it.
        if (depth < path.length && node?.type === 'object') continue;
        const annotated = node?.[ERROR_MESSAGE];
        if (typeof annotated === 'string') return { path: path.slice(0, depth), message: withLabel(path.slice(0, depth), annotated) };
      }
      return { path, message: withLabel(path, error.message.toLowerCase()) };
    },
  };
}

/** Errors looked at to find the first one in field order; the rest are not generated. */
const ERRORS_CONSIDERED = 32;

/**
 * The error of the earliest top-level field in declaration order (TypeBox reports missing
 * required fields before wrong ones), so `{"model": 3}` is refused for its model, not for the
 * `request` it lacks.
 */
function firstInFieldOrder(schema: TSchema, errors: Iterable<ValueError>): ValueError | undefined {
  const order = Object.keys((schema.properties as object | undefined) ?? {});
  const rank = (error: ValueError) => {
    const index = order.indexOf(error.path.split('/')[1] ?? '');
    return error.path === '' ? -1 : index === -1 ? order.length : index;
  };
  let best: ValueError | undefined;
  let seen = 0;
  for (const error of errors) {
    if (best === undefined || rank(error) < rank(best)) best = error;
    if (++seen >= ERRORS_CONSIDERED) break;
  }
  return best;
}

/** The sub-schema at `path` (object properties and array items only), or undefined. */
function schemaAt(schema: TSchema, path: readonly string[]): TSchema | undefined {
  let node: TSchema | undefined = schema;
  for (const segment of path) {
    if (!node) return undefined;
    if (node.type === 'object') {
      // A record (Type.Record) has its value schema under patternProperties.
      node = (node.properties as Record<string, TSchema> | undefined)?.[segment]
        ?? Object.values((node.patternProperties as Record<string, TSchema> | undefined) ?? {})[0];
    }
    else if (node.type === 'array') node = node.items as TSchema | undefined;
    else return undefined;
  }
  return node;
}

/** `"maxBatchSize"` for a top-level field, `inputs[0].shape` below it; empty for the root. */
function fieldLabel(path: readonly string[]): string {
  if (path.length === 0) return '';
  if (path.length === 1) return `"${path[0]!.slice(0, 64)}"`;
  return path.map((segment, i) => (/^\d+$/.test(segment) ? `[${segment}]` : `${i === 0 ? '' : '.'}${segment.slice(0, 64)}`)).join('');
}

const withLabel = (path: readonly string[], message: string) => {
  const label = fieldLabel(path);
  return label ? `${label} ${message}` : message;
};
