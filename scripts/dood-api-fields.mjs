#!/usr/bin/env node
/**
 * The fields of the request bodies the DooD proxy inspects, per Engine API
 * version, read from the API reference: for the test that checks the
 * tables of src/dood/fields/ against it. Usage, with a moby/moby checkout:
 *
 *   node scripts/dood-api-fields.mjs moby/docs/api/v1.41.yaml ... moby/docs/api/v1.51.yaml \
 *     > test/fixtures/dood-api-fields.json
 *
 * Output: { versions, fields: { <body>: { <path>: { since?, until? } } } },
 * paths as src/dood/fields.ts fieldPaths writes them (Mounts[].Type,
 * EndpointsConfig{}.Aliases, PortBindings{}[].HostIp).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const BODIES = {
  'container-create': ['/containers/create', 'post'],
  'container-update': ['/containers/{id}/update', 'post'],
  'exec-create': ['/containers/{id}/exec', 'post'],
  'exec-start': ['/exec/{id}/start', 'post'],
  'network-create': ['/networks/create', 'post'],
  'network-connect': ['/networks/{id}/connect', 'post'],
  'network-disconnect': ['/networks/{id}/disconnect', 'post'],
  'volume-create': ['/volumes/create', 'post'],
};

function resolve(spec, node) {
  while (node?.$ref) node = spec.definitions[node.$ref.split('/').pop()];
  return node;
}

function properties(spec, node) {
  node = resolve(spec, node);
  const out = {};
  for (const part of node?.allOf ?? []) Object.assign(out, properties(spec, part));
  return Object.assign(out, node?.properties ?? {});
}

function walk(spec, node, path, paths) {
  node = resolve(spec, node);
  if (!node) return;
  if (node.type === 'array' && node.items) return walk(spec, node.items, `${path}[]`, paths);
  const values = resolve(spec, node.additionalProperties);
  if (values && typeof values === 'object') walk(spec, values, `${path}{}`, paths);
  for (const [name, child] of Object.entries(properties(spec, node))) {
    const childPath = path === '' ? name : `${path}.${name}`;
    paths.add(childPath);
    walk(spec, child, childPath, paths);
  }
}

const files = process.argv.slice(2);
const versions = [];
const seen = {};
for (const file of files) {
  const spec = parse(readFileSync(file, 'utf8'));
  const version = String(spec.info.version);
  versions.push(version);
  for (const [body, [route, method]] of Object.entries(BODIES)) {
    const schema = spec.paths[route]?.[method]?.parameters?.find((parameter) => parameter.in === 'body')?.schema;
    const paths = new Set();
    walk(spec, schema, '', paths);
    for (const path of paths) ((seen[body] ??= {})[path] ??= []).push(version);
  }
}
const fields = {};
for (const [body, paths] of Object.entries(seen)) {
  fields[body] = {};
  for (const [path, found] of Object.entries(paths)) {
    const entry = {};
    if (found[0] !== versions[0]) entry.since = found[0];
    if (found.at(-1) !== versions.at(-1)) entry.until = found.at(-1);
    fields[body][path] = entry;
  }
}
process.stdout.write(`${JSON.stringify({ versions, fields }, null, 1)}\n`);
