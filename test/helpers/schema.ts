import assert from 'node:assert/strict';
import type { JsonSchema } from '../../src/core/index.js';

/** A registered class's schema: `$id` urn:archbundle:<kind>:<Name>, x-version, title = name, documented, closed. */
export function assertSchemaDocumented(schema: JsonSchema, kind: string, name: string): void {
  assert.equal(schema.$id, `urn:archbundle:${kind}:${name}`);
  assert.equal(schema.title, name);
  assert.equal(typeof schema['x-version'], 'number');
  assert.equal(schema.additionalProperties, false);
  for (const [key, property] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
    assert.ok(typeof property.title === 'string' && typeof property.description === 'string', `${name}.${key} has title and description`);
    const required = (schema.required as string[] | undefined) ?? [];
    assert.ok(required.includes(key) || 'default' in property, `${name}.${key} is required or has a default`);
  }
}
