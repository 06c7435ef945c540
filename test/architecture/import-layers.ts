/**
 * The layers of the source tree and which may import which, and a checker that reads every
 * import of a TypeScript file (static, `export ... from`, `import type`, `require(...)`,
 * `import(...)` and `import('...')` types) and names each one that points the wrong way.
 * Node builtins and npm packages are always allowed; `scripts/`, `main.ts` and `test/` may
 * import anything and are not checked. A rule's case table (`<ID>.cases.ts`, beside the rule) is
 * test data: it may import anything too, and no layer may import it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export const LAYERS = ['config', 'model', 'render', 'workloads', 'tfjson', 'policies', 'constructs', 'stacks', 'review'] as const;
export type Layer = (typeof LAYERS)[number];

/** What each layer may import besides itself: data flows up, from config to the stacks and the review. */
export const MAY_IMPORT: Readonly<Record<Layer, readonly Layer[]>> = {
  config: [],
  model: ['config'],
  render: ['config', 'model'],
  workloads: ['config', 'model', 'render'],
  tfjson: ['config', 'model'],
  policies: ['config', 'model', 'tfjson'],
  constructs: ['config', 'model', 'render', 'workloads', 'tfjson', 'policies'],
  stacks: ['config', 'model', 'render', 'workloads', 'tfjson', 'policies', 'constructs'],
  review: ['config', 'model', 'tfjson', 'policies', 'stacks'],
};

export interface SourceFile {
  /** Path relative to the project root, with `/` separators. */
  readonly path: string;
  readonly text: string;
}

export interface Violation {
  readonly file: string;
  readonly specifier: string;
  /** The layer (or top-level entry, e.g. `scripts`) the import resolves to. */
  readonly target: string;
}

/** Every module specifier the file names, type-only ones included. */
export function importSpecifiers(file: SourceFile): string[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteralLike(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteralLike(node.moduleReference.expression)
    ) {
      specifiers.push(node.moduleReference.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      const [argument] = node.arguments;
      if (argument && ts.isStringLiteralLike(argument)) specifiers.push(argument.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteralLike(node.argument.literal)) {
      specifiers.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers;
}

/** The first folder of a project path (`model/secrets.ts` → `model`), or the file itself at the root. */
function topLevelOf(projectPath: string): string {
  return projectPath.split('/')[0] ?? projectPath;
}

const CASE_TABLE_SUFFIX = '.cases.ts';

/** The layer an import points to, or `case table` for a rule's test data. */
function targetOf(importer: string, specifier: string): string {
  if (specifier.endsWith(CASE_TABLE_SUFFIX.replace(/\.ts$/, ''))) return 'case table';
  return topLevelOf(path.posix.normalize(path.posix.join(path.posix.dirname(importer), specifier)));
}

function isLayer(name: string): name is Layer {
  return (LAYERS as readonly string[]).includes(name);
}

/** The imports of `file` that its layer may not make; none for files outside the checked layers. */
export function layerViolations(file: SourceFile): Violation[] {
  const layer = topLevelOf(file.path);
  if (!isLayer(layer) || file.path.endsWith(CASE_TABLE_SUFFIX)) return [];
  const allowed = new Set<string>([layer, ...MAY_IMPORT[layer]]);
  return importSpecifiers(file)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => ({ file: file.path, specifier, target: targetOf(file.path, specifier) }))
    .filter((violation) => !allowed.has(violation.target));
}

/** Every .ts file under the checked layers' folders of `root`. */
export function layerSources(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const visit = (relative: string): void => {
    const absolute = path.join(root, relative);
    for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) visit(child);
      else if (entry.name.endsWith('.ts')) files.push({ path: child, text: fs.readFileSync(path.join(root, child), 'utf8') });
    }
  };
  for (const layer of LAYERS) if (fs.existsSync(path.join(root, layer))) visit(layer);
  return files;
}

export function describeViolation(violation: Violation): string {
  return `${violation.file}: ${violation.specifier} → ${violation.target}`;
}
