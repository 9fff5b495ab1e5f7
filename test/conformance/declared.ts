// Checks a JSON object against an interface an SDK declares in its .d.ts files: every key must be
// declared, and a declared primitive type (string, number, boolean; null only where the type says
// so) must match. The SDKs ship no runtime schemas, so their declarations are the judge.
import { readFileSync } from 'node:fs';

/** Declared property types of `iface` in the package file `file` (relative to node_modules). */
export function declaredProps(file: string, iface: string): Map<string, string> {
  const text = readFileSync(new URL(`../../node_modules/${file}`, import.meta.url), 'utf8');
  const start = text.indexOf(`export interface ${iface} {`);
  if (start < 0) throw new Error(`${iface} is not declared in ${file}`);
  const end = text.indexOf('\n}', start);
  const props = new Map<string, string>();
  let current: [string, string] | undefined;
  for (const line of text.slice(start, end).split('\n').slice(1)) {
    const m = /^ {4}'?(\w+)'?\??: (.*)$/.exec(line);
    if (m) current = [m[1]!, m[2]!];
    else if (current && /^ {8}/.test(line)) current[1] += ` ${line.trim()}`;
    else continue;
    if (current[1].endsWith(';')) {
      props.set(current[0], current[1].slice(0, -1));
      current = undefined;
    }
  }
  return props;
}

/** The problems of `value` against the declaration (empty when it conforms at the top level). */
export function undeclared(value: Record<string, unknown>, props: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const type = props.get(k);
    if (type === undefined) {
      problems.push(`${k} is not declared`);
      continue;
    }
    const alternatives = type.split('|').map((t) => t.trim());
    if (v === null) {
      if (!alternatives.includes('null')) problems.push(`${k} is null; declared ${type}`);
      continue;
    }
    const literals = alternatives.filter((t) => t !== 'null');
    if (literals.every((t) => /^'[^']*'$/.test(t)) && !literals.includes(`'${String(v)}'`)) problems.push(`${k} is ${String(v)}; declared ${type}`);
    for (const prim of ['string', 'number', 'boolean'] as const) {
      if (type === prim && typeof v !== prim) problems.push(`${k} is ${typeof v}; declared ${type}`);
    }
  }
  return problems;
}
