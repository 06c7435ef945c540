/**
 * What the engine makes of every string of a synthesized stack, read by HCL 2's template
 * parser (test/support/hcl.ts). Deliberately blunter than tfjson/template-positions.ts: every
 * string value and every object key is read, except the `terraform` block and `//` comments,
 * so a place that walk wrongly treats as literal is still read here.
 */
import { readTemplates, type HclTemplateReport } from './hcl';

export interface EngineString {
  readonly text: string;
  /** Where it is, for messages: `resource.kubernetes_config_map_v1.x.data["configure.sh"]`. */
  readonly where: string;
  readonly report: HclTemplateReport;
}

function collect(value: unknown, where: string, into: { text: string; where: string }[]): void {
  if (typeof value === 'string') into.push({ text: value, where });
  else if (Array.isArray(value)) value.forEach((item, index) => collect(item, `${where}[${index}]`, into));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      if (key === '//' || (where === '' && key === 'terraform')) continue;
      into.push({ text: key, where: `${where} key ${JSON.stringify(key)}` });
      collect(child, where ? `${where}.${key}` : key, into);
    }
  }
}

/** Every string and key of a stack's JSON (outside `terraform` and `//`), as the engine reads it. */
export function engineStrings(json: unknown): EngineString[] {
  const found: { text: string; where: string }[] = [];
  collect(json, '', found);
  const distinct = [...new Set(found.map((entry) => entry.text))];
  const reports = new Map(readTemplates(distinct).map((report, index) => [distinct[index] ?? '', report]));
  return found.map((entry) => ({ ...entry, report: reports.get(entry.text) ?? { parts: [], error: 'not read' } }));
}

/** Resource and data source addresses declared in a stack's JSON. */
function declared(json: unknown): Set<string> {
  const addresses = new Set<string>();
  const document = json as { resource?: Record<string, Record<string, unknown>>; data?: Record<string, Record<string, unknown>> };
  for (const [type, byName] of Object.entries(document.resource ?? {}))
    for (const name of Object.keys(byName)) addresses.add(`${type}.${name}`);
  for (const [type, byName] of Object.entries(document.data ?? {}))
    for (const name of Object.keys(byName)) addresses.add(`data.${type}.${name}`);
  return addresses;
}

/** The root `type.name` (or `data.type.name`) of a traversal. */
function targetOf(traversal: string): string {
  const steps = traversal.split(/(?=[.[])/);
  return (steps[0] === 'data' ? steps.slice(0, 3) : steps.slice(0, 2)).join('');
}

/**
 * Strings of a stack that are neither literal text (evaluating, with no variables and no
 * functions, to a value) nor exactly one reference to a resource or data source declared in it.
 */
export function unsafeStrings(json: unknown): EngineString[] {
  const addresses = declared(json);
  return engineStrings(json).filter(({ report }) => {
    if (report.error === undefined && report.value !== undefined && report.parts.every((part) => part.kind === 'literal')) return false;
    const only = report.parts.length === 1 ? report.parts[0] : undefined;
    return !(only?.kind === 'reference' && addresses.has(targetOf(only.traversal)));
  });
}

/** The literal values of a stack's strings (evaluated: escapes undone). */
export function literalValues(json: unknown): string[] {
  return engineStrings(json).flatMap(({ report }) =>
    report.value !== undefined && report.parts.every((part) => part.kind === 'literal') ? [report.value] : [],
  );
}
