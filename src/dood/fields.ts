/**
 * strict's allowlist of request bodies: every field of every body the proxy
 * forwards is in a table (src/dood/fields/), and a field no table names, or
 * a value its rule does not accept, is refused with a message naming it.
 *
 * The tables cover Engine API 1.41 to 1.51, read from the reference
 * (docs/api/v1.XX.yaml in moby/moby) and the daemon's Go types, which decode
 * a few fields the reference does not list (each such row has a `note`).
 *
 * Adding an API version (say 1.52):
 *  1. Regenerate the reference's field list:
 *     node scripts/dood-api-fields.mjs path/to/moby/docs/api/v1.{41..52}.yaml > test/fixtures/dood-api-fields.json
 *  2. Run test/unit/dood-fields.test.ts: it names each field the tables lack
 *     or whose since/until differ. Add a row per new field, in the table of its
 *     object, with `since: '1.52'` and a rule (`any` only when the field has no
 *     meaning outside the container; otherwise a check from fields/values.ts,
 *     or refused-unless-empty with the reason). A removed field keeps its row,
 *     with `until`: older daemons still read it.
 *  3. Add a test of the rule in test/unit/dood-fields.test.ts.
 *
 * The verdict does not depend on the request's API version (/v1.43/...): the
 * daemon decodes a body into its own types whatever version the URL names,
 * so a field newer than the request's version still reaches a newer daemon.
 */
import { hostConfigTable, updateTable } from './fields/host-config.js';
import { containerCreateTable, execCreateTable, execStartTable, volumeCreateTable } from './fields/container-config.js';
import { networkConnectTable, networkCreateTable, networkDisconnectTable } from './fields/network.js';
import { isEmpty, shown, type Row, type Rule, type Table } from './fields/rules.js';
import { isObject, keyOf, sameFieldName, type Json } from './json.js';
import { policyRefusal, Refused } from './refused.js';

/** The request bodies the proxy inspects, by the endpoint that takes them. */
export const BODY_TABLES = {
  /** POST /containers/create */
  'container-create': containerCreateTable,
  /** POST /containers/{id}/start with a body: a HostConfig (API < 1.24) */
  'container-start': hostConfigTable,
  /** POST /containers/{id}/update */
  'container-update': updateTable,
  /** POST /containers/{id}/exec */
  'exec-create': execCreateTable,
  /** POST /exec/{id}/start */
  'exec-start': execStartTable,
  /** POST /networks/create */
  'network-create': networkCreateTable,
  /** POST /networks/{id}/connect */
  'network-connect': networkConnectTable,
  /** POST /networks/{id}/disconnect */
  'network-disconnect': networkDisconnectTable,
  /** POST /volumes/create */
  'volume-create': volumeCreateTable,
} satisfies Record<string, Table>;

export type BodyObject = keyof typeof BODY_TABLES;

const KNOWN = 'the proxy knows the fields of Engine API 1.41 to 1.51 and refuses others, which a newer daemon may act on';

function child(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** A refusal of the value at `path`. */
function refusal(path: string, what: string, why: string): Refused {
  return policyRefusal('strict', `${path} ${what}`.trim(), why);
}

function notAnObject(path: string, value: unknown, what: string): Refused {
  return refusal(path, shown(value), `it must be ${what}`);
}

/** A value under its row's rule. */
function checkValue(rowOf: Row, value: unknown, path: string): Refused | undefined {
  const rule: Rule = rowOf.rule;
  const flag = rowOf.flag ? ` (${rowOf.flag})` : '';
  switch (rule.kind) {
    case 'any':
    case 'checked-elsewhere':
      return undefined;
    case 'check': {
      const problem = rule.check(value);
      return problem ? refusal(path, problem.what, problem.why) : undefined;
    }
    case 'refused-unless-empty':
      return isEmpty(value) ? undefined : refusal(path, `${shown(value)}${flag}`, `${rule.why}; strict accepts it only unset`);
    case 'refused-unless-null':
      return value === undefined || value === null ? undefined : refusal(path, `${shown(value)}${flag}`, `${rule.why}; strict accepts it only absent or null`);
    case 'object':
      return value === null ? undefined : isObject(value) ? checkObject(rule.table, value, path) : notAnObject(path, value, 'an object');
    case 'list':
      return checkList(rule.table, value, path);
    case 'map': {
      if (value === null) return undefined;
      if (!isObject(value)) return notAnObject(path, value, `an object of ${rule.keys}`);
      for (const [key, item] of Object.entries(value)) {
        const itemPath = `${path}[${JSON.stringify(key)}]`;
        const problem = rule.lists ? checkList(rule.table, item, itemPath) : checkValue({ name: key, rule: { kind: 'object', table: rule.table } }, item, itemPath);
        if (problem) return problem;
      }
      return undefined;
    }
  }
}

/** A list of objects; null (the whole list or an item) is Go's zero value. */
function checkList(table: Table, value: unknown, path: string): Refused | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value)) return notAnObject(path, value, `a list of ${table.name} objects`);
  for (const [index, item] of value.entries()) {
    if (item === null) continue;
    if (!isObject(item)) return notAnObject(`${path}[${index}]`, item, `a ${table.name} object`);
    const problem = checkObject(table, item, `${path}[${index}]`);
    if (problem) return problem;
  }
  return undefined;
}

/** Every key named by a row (as Go matches names), then every row's value under its rule. Throws Refused for a field named twice. */
function checkObject(table: Table, value: Json, path: string): Refused | undefined {
  for (const key of Object.keys(value)) {
    if (!table.rows.some((known) => sameFieldName(key, known.name))) {
      return refusal('', `the field ${child(path, key)}`, `it is not a field of ${table.name} the proxy knows; ${KNOWN}`);
    }
  }
  for (const known of table.rows) {
    const key = keyOf(value, known.name);
    if (key === undefined) continue;
    const problem = checkValue(known, value[key], child(path, known.name));
    if (problem) return problem;
  }
  return undefined;
}

/**
 * strict: the first field of `body` (a request body as JSON.parse gave it)
 * that is unknown or whose value its row does not accept, as a Refused
 * (403, or 400 for a field named twice); undefined when every field is
 * allowed. Pure: the body is not changed.
 */
export function fieldProblems(object: BodyObject, body: unknown): Refused | undefined {
  const table = BODY_TABLES[object];
  if (body === null || body === undefined) return undefined;
  if (!isObject(body)) return notAnObject(table.name, body, 'a JSON object');
  try {
    return checkObject(table, body, '');
  } catch (error) {
    if (error instanceof Refused) return error;
    throw error;
  }
}

/** Every field path of a body object's tables (Mounts[].BindOptions.Propagation, ...), with its row: for the docs and tests. */
export function fieldPaths(object: BodyObject): Array<{ path: string; row: Row }> {
  const out: Array<{ path: string; row: Row }> = [];
  const walk = (table: Table, prefix: string) => {
    for (const known of table.rows) {
      const path = child(prefix, known.name);
      out.push({ path, row: known });
      const { rule } = known;
      if (rule.kind === 'object') walk(rule.table, path);
      else if (rule.kind === 'list') walk(rule.table, `${path}[]`);
      else if (rule.kind === 'map') walk(rule.table, `${path}{}${rule.lists ? '[]' : ''}`);
    }
  };
  walk(BODY_TABLES[object], '');
  return out;
}
