/**
 * The files made from the registry: action.yml's inputs and outputs, the
 * README's tables, the GitLab components' shared `spec: inputs`. Each is
 * written between marker lines of its file; test/unit/generated-files.test.ts
 * checks them (CI) and `npm run generate` rewrites them.
 */
import { describeInput, INPUTS, OUTPUTS, type Component, type InputSpec } from './registry.js';

const WIDTH = 80;

/** Words filled into lines of at most WIDTH columns, each with the indent. */
export function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((word) => word !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines.join('\n');
}

const singleQuoted = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** A folded block scalar (`key: >-`), the text wrapped under it. */
function folded(key: string, text: string, indent: string): string {
  return `${indent}${key}: >-\n${wrap(text, `${indent}  `)}`;
}

/** action.yml's `inputs:` and `outputs:`. */
export function actionYml(): string {
  const inputs = INPUTS.map(
    (spec) => `  ${spec.name}:\n${folded('description', describeInput(spec), '    ')}\n    required: false\n    default: ${singleQuoted(spec.default)}`,
  );
  const outputs = OUTPUTS.map((spec) => `  ${spec.name}:\n${folded('description', spec.description, '    ')}`);
  return `inputs:\n${inputs.join('\n')}\n\noutputs:\n${outputs.join('\n')}\n`;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

function defaultCell(spec: InputSpec): string {
  if (spec.default !== '') return `\`${spec.default}\``;
  return `_(${spec.defaultText ?? 'empty'})_`;
}

export function readmeInputs(): string {
  const rows = INPUTS.map((spec) => `| \`${spec.name}\` | ${defaultCell(spec)} | ${cell(spec.docs ? `${describeInput(spec)} ${spec.docs}` : describeInput(spec))} |`);
  return ['| Input | Default | Accepted values and meaning |', '| --- | --- | --- |', ...rows].join('\n') + '\n';
}

export function readmeOutputs(): string {
  const rows = OUTPUTS.map((spec) => `| \`${spec.name}\` | \`${spec.example}\` | ${cell(spec.description)} |`);
  return ['| Output | Example | Meaning |', '| --- | --- | --- |', ...rows].join('\n') + '\n';
}

/** The `spec: inputs` entries a GitLab component shares with the action. */
export function componentInputs(component: Component): string {
  const entries = INPUTS.flatMap((spec) => {
    const gitlab = spec.gitlab;
    if (!gitlab?.components.includes(component)) return [];
    const type = gitlab.type ?? spec.parser.type;
    const value = gitlab.default ?? (type === 'number' ? Number(spec.default) : type === 'boolean' ? spec.default === 'true' : spec.default);
    const lines = [`    ${spec.name}:`, `      type: ${type}`, `      default: ${typeof value === 'string' ? singleQuoted(value) : String(value)}`];
    if (gitlab.regex !== undefined) lines.push(`      regex: ${singleQuoted(gitlab.regex)}`);
    lines.push(folded('description', gitlab.description, '      '));
    return [lines.join('\n')];
  });
  return `${entries.join('\n')}\n`;
}

/** `text` with the lines between its `name:begin` and `name:end` marker lines replaced by `content`. */
export function splice(text: string, name: string, content: string): string {
  const lines = text.split('\n');
  const at = (marker: string): number => {
    const found = lines.flatMap((line, index) => (new RegExp(`(^|[\\s#-])${name}:${marker}\\b`).test(line) ? [index] : []));
    if (found.length !== 1) throw new Error(`expected one line with the marker ${name}:${marker}, found ${found.length}`);
    return found[0]!;
  };
  const begin = at('begin');
  const end = at('end');
  if (end < begin) throw new Error(`marker ${name}:end comes before ${name}:begin`);
  return [...lines.slice(0, begin + 1), content.replace(/\n$/, ''), ...lines.slice(end)].join('\n');
}

/** Each generated file: its path from the repository root and its regions. */
export const GENERATED: readonly { file: string; regions: readonly [name: string, render: () => string][] }[] = [
  { file: 'action.yml', regions: [['generated', actionYml]] },
  {
    file: 'README.md',
    regions: [
      ['inputs', readmeInputs],
      ['outputs', readmeOutputs],
    ],
  },
  { file: 'templates/dind.yml', regions: [['generated', () => componentInputs('dind')]] },
  { file: 'templates/dood.yml', regions: [['generated', () => componentInputs('dood')]] },
];
