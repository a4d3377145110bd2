/**
 * The layout's rules, read from the import statements of src/ (type imports
 * included): no import cycles, and each folder imports only what sits below
 * it. CONTRIBUTING.md ("Layout") says why each rule exists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');

/** Every .ts file under src/, relative to the root, with what it imports (files relative to the root, or package names). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files) {
    const path = join(SRC, file);
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
    const targets: string[] = [];
    const visit = (node: ts.Node) => {
      const specifier =
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)
          ? node.moduleSpecifier.text
          : ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)
            ? node.arguments[0].text
            : undefined;
      if (specifier !== undefined) {
        targets.push(specifier.startsWith('.') ? relative(ROOT, resolve(dirname(path), specifier)).replace(/\.js$/, '.ts') : specifier);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    graph.set(relative(ROOT, path), targets);
  }
  return graph;
}

/** Groups of files that import each other, directly or not (Tarjan's strongly connected components). */
function cycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (file: string) => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const group = stack.splice(stack.indexOf(file));
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return found;
}

/** Who may not import what: [files, forbidden imports, why]. */
const RULES: [RegExp, RegExp, string][] = [
  [/^src\/(engine|modes|docker|teardown|inputs|dood|ports)\//, /^src\/(github|cli)\//, 'the engine is CI-agnostic: front ends call it, never the reverse'],
  [/^src\/(?!github\/)/, /^@actions\/core$/, 'only the GitHub adapter talks to the Actions runner'],
  [/^src\/(modes|docker|teardown|inputs|dood)\//, /^src\/engine\/(engine|job-client)\.ts$/, "the engine's driver sits on top of the modes and their parts"],
  [/^src\/modes\/dind\//, /^src\/modes\/(dood|attach)\.ts$/, 'the modes stand side by side: DinD'],
  [/^src\/modes\/(dood|attach)\.ts$/, /^src\/modes\/(dind\/|dood\.ts|attach\.ts)/, 'the modes stand side by side'],
  [/^src\/(docker|teardown)\//, /^src\/modes\//, 'the modes build on the daemon client and the teardown, not the other way'],
  [/^src\/dood\//, /^src\/(?!dood\/)/, 'the DooD proxy is its own process: it shares no code but its own'],
  [/^src\/ports\//, /^src\/(?!ports\/)/, 'the DinD port forwarder is its own process: it shares no code but its own'],
  [/^src\/inputs\/parsers\.ts$/, /^src\//, 'the generic parsers import no feature, so every feature may import them'],
];

describe('the layout of src/', () => {
  const graph = importGraph();

  it('has no import cycles (type imports included)', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it.each(RULES.map(([from, to, why]) => [why, from, to] as const))('%s', (_why, from, to) => {
    const broken = [...graph].flatMap(([file, targets]) => (from.test(file) ? targets.filter((target) => to.test(target)).map((target) => `${file} -> ${target}`) : []));
    expect(broken).toEqual([]);
  });
});
