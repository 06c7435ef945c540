/**
 * The layers point one way: config → model → render → workloads, with tfjson beside render and
 * policies, constructs, stacks and the review on top (MAY_IMPORT). A failure lists each
 * offending `file: import → layer`.
 */
import { projectRoot } from '../../config/project-root';
import { describeViolation, importSpecifiers, layerSources, layerViolations, LAYERS, MAY_IMPORT } from './import-layers';

describe('the layer checker', () => {
  const reported = (file: string, text: string) => layerViolations({ path: file, text }).map(describeViolation);

  it.each([
    ['a static import from a lower layer', 'render/a.ts', "import { x } from '../model/b';"],
    ['a type-only import from a lower layer', 'workloads/a.ts', "import type { X } from '../render/b';"],
    ['a nested folder reaching a lower layer', 'render/synapse/a.ts', "import { x } from '../../config/b';"],
    ['its own layer', 'model/a.ts', "import { x } from './b';"],
    ['node builtins and npm packages', 'config/a.ts', "import * as fs from 'node:fs';\nimport { z } from 'zod';"],
    ['a file outside the checked layers', 'scripts/a.ts', "import { x } from '../review/b';"],
    [
      "a rule's case table (test data) importing tests and renderers",
      'policies/rules/net/NET-01.cases.ts',
      "import { x } from '../../../test/policies/fixtures';\nimport { y } from '../../../render/b';",
    ],
  ])('accepts %s', (_what, file, text) => {
    expect(reported(file, text)).toEqual([]);
  });

  it.each([
    ['a static import', 'model/a.ts', "import { x } from '../render/b';", ['model/a.ts: ../render/b → render']],
    ['a type-only import', 'model/a.ts', "import type { X } from '../render/b';", ['model/a.ts: ../render/b → render']],
    ['an inline type-only import', 'model/a.ts', "import { type X } from '../workloads/b';", ['model/a.ts: ../workloads/b → workloads']],
    ['a re-export', 'config/a.ts', "export { x } from '../model/b';", ['config/a.ts: ../model/b → model']],
    ['a require', 'render/a.ts', "const b = require('../workloads/b');", ['render/a.ts: ../workloads/b → workloads']],
    [
      'a dynamic import',
      'policies/rules/a.ts',
      "const b = await import('../../render/b');",
      ['policies/rules/a.ts: ../../render/b → render'],
    ],
    ['an import type node', 'tfjson/a.ts', "let b: import('../policies/b').B;", ['tfjson/a.ts: ../policies/b → policies']],
    ['an import of a top-level entry', 'stacks/a.ts', "import { x } from '../scripts/b';", ['stacks/a.ts: ../scripts/b → scripts']],
    [
      'a rule importing a case table',
      'policies/rules/net/NET-01.ts',
      "import { cases } from './NET-01.cases';",
      ['policies/rules/net/NET-01.ts: ./NET-01.cases → case table'],
    ],
    [
      'a review reaching past the stacks into constructs',
      'review/a.ts',
      "import { x } from '../constructs/b';",
      ['review/a.ts: ../constructs/b → constructs'],
    ],
  ])('reports %s', (_what, file, text, expected) => {
    expect(reported(file, text)).toEqual(expected);
  });

  it('reads every kind of import', () => {
    const text = [
      "import a from './a';",
      "import type { B } from './b';",
      "export * from './c';",
      "import d = require('./d');",
      "const e = require('./e');",
      "void import('./f');",
      "type G = typeof import('./g');",
    ].join('\n');
    expect(importSpecifiers({ path: 'model/x.ts', text })).toEqual(['./a', './b', './c', './d', './e', './f', './g']);
  });

  it('has no two layers that may import each other', () => {
    for (const layer of LAYERS) {
      for (const lower of MAY_IMPORT[layer]) expect(MAY_IMPORT[lower]).not.toContain(layer);
    }
  });
});

describe('the source tree', () => {
  it('imports only along the layers', () => {
    const violations = layerSources(projectRoot()).flatMap(layerViolations).map(describeViolation);
    expect(violations.join('\n')).toBe('');
  });
});
