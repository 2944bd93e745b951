import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { architectures } from '../src/index.js';

const common = JSON.parse(readFileSync(new URL('../schemas/classifier-common.schema.json', import.meta.url), 'utf8')) as {
  properties: Record<string, unknown>;
  required: string[];
};

/** The schema's top-level properties, each with its JSON pointer. */
function propertyNodes(schema: { properties: Record<string, unknown> }): [string, Record<string, unknown>][] {
  return Object.entries(schema.properties).map(([key, value]) => [`/${key}`, value as Record<string, unknown>]);
}

describe('architecture schemas', () => {
  for (const definition of architectures.list()) {
    const schema = definition.schema as Record<string, unknown> & { properties: Record<string, unknown>; required: string[] };

    it(`${definition.name}: common properties equal schemas/classifier-common.schema.json`, () => {
      for (const [key, value] of Object.entries(common.properties)) {
        assert.deepEqual(schema.properties[key], value, `${definition.name} property "${key}"`);
      }
      for (const key of common.required) assert.ok(schema.required.includes(key), `"${key}" is required`);
    });

    it(`${definition.name}: $id, version, closed, titled, described, defaulted`, () => {
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
      assert.equal(schema.$id, `urn:archbundle:architecture:${definition.name}`);
      assert.equal(typeof schema['x-version'], 'number');
      assert.equal(schema.additionalProperties, false);
      assert.ok(Array.isArray(schema.examples) && schema.examples.length > 0, 'has examples');
      for (const [pointer, node] of propertyNodes(schema)) {
        assert.equal(typeof node.title, 'string', `${pointer} has a title`);
        assert.equal(typeof node.description, 'string', `${pointer} has a description`);
        const key = pointer.slice(1);
        if (!schema.required.includes(key)) assert.ok('default' in node, `optional ${pointer} has a default`);
      }
    });
  }
});
