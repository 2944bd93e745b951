import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { ValidationError, type ErrorCode, type Issue } from './errors.js';

export type JsonSchema = Record<string, unknown>;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The one Ajv instance: strict (unknown keywords and ambiguous schemas are errors), all errors
 * reported, defaults filled in. `x-version` is archbundle's schema-version annotation.
 */
const ajv = new Ajv2020({ strict: true, allErrors: true, useDefaults: true, verbose: true });
ajv.addKeyword({ keyword: 'x-version', metaSchema: { type: 'integer', minimum: 1 } });

/** Compiles (once per `$id`) and returns the validator for a schema. */
export function compileSchema(schema: JsonSchema): ValidateFunction {
  const id = schema.$id;
  if (typeof id === 'string') {
    const known = ajv.getSchema(id);
    if (known) return known;
  }
  return ajv.compile(schema);
}

/**
 * Validates `value` against `schema` and returns a copy with defaults filled in; the input is
 * never mutated. Throws a ValidationError listing every problem with its JSON pointer.
 */
export function validateOrThrow<T = Record<string, unknown>>(
  schema: JsonSchema,
  value: unknown,
  subject: string,
  code: ErrorCode = 'E_INVALID_ARGS',
): T {
  const copy = value === undefined ? undefined : structuredClone(value);
  const validate = compileSchema(schema);
  if (!validate(copy)) throw new ValidationError(code, subject, toIssues(validate.errors ?? []));
  return copy as T;
}

/** Converts ajv's errors to issues whose pointers name the offending property itself. */
export function toIssues(errors: readonly ErrorObject[]): Issue[] {
  return errors.map((e) => {
    let pointer = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      pointer += `/${escapePointer(key)}`;
      message = 'is not a known property';
    } else if (e.keyword === 'required') {
      const key = String((e.params as { missingProperty: string }).missingProperty);
      pointer += `/${escapePointer(key)}`;
      message = 'is required but missing';
    } else {
      message = `${message}, received ${describe(e.data)}`;
    }
    return { pointer, message, keyword: e.keyword };
  });
}

export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A short rendering of a received value for error messages. */
export function describe(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
