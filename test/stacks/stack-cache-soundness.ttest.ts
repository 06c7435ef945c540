/**
 * The stack cache's premise, tried on every value of both example configs: after any one scalar
 * of the config is changed (a number up and down, a boolean flipped, a string edited), every
 * stack whose recorded reads still hold on the changed config is, byte for byte, the stack a
 * fresh synthesis of it writes. (`npm test` tries a few edits end to end; this is every leaf.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { DeploymentConfig } from '../../config/deployment-config';
import { projectRoot } from '../../config/project-root';
import { parseDeploymentConfig } from '../../model/load-config';
import { composeDeployment } from '../../stacks/compose-deployment';
import { observationsHold, type Observation } from '../../stacks/read-trace';
import { ReusedStack } from '../../stacks/reused-stack';
import { StackCache } from '../../stacks/stack-cache';
import { synthesizeAudited } from '../../stacks/synthesize-deployment';
import { withoutTokenCreationStacks } from '../../stacks/token-creation-stacks';
import { DEFAULT_CONFIG_FILE, FLEET_CONFIG_FILE } from '../config/config-fixtures';

type Path = readonly (string | number)[];

/** The path of every scalar in a YAML document. */
function scalarPaths(node: Node | null, at: Path = []): Path[] {
  if (isMap(node))
    return node.items.flatMap((item) =>
      scalarPaths(item.value as Node | null, [...at, String(isScalar(item.key) ? item.key.value : item.key)]),
    );
  if (isSeq(node)) return node.items.flatMap((item, index) => scalarPaths(item as Node | null, [...at, index]));
  return isScalar(node) ? [at] : [];
}

/** Other values of the same kind: the config may refuse some of them (then they are skipped). */
function otherValues(value: unknown): unknown[] {
  if (typeof value === 'number') return [value + 1, value > 1 ? value - 1 : value + 2];
  if (typeof value === 'boolean') return [!value];
  if (typeof value !== 'string') return [];
  const others: string[] = [`${value}x`];
  if (/\d/.test(value)) others.push(value.replace(/\d(?!.*\d)/, (digit) => String((Number(digit) + 1) % 10)));
  if (/^[a-z]/.test(value)) others.push(`b${value.slice(1)}`);
  return others;
}

/** Builds the stacks named `built` afresh (the others stand in empty, to save time) and writes them; false when cdktf refuses. */
function synthesizedFresh(outdir: string, config: DeploymentConfig, built: ReadonlySet<string>): boolean {
  return withoutTokenCreationStacks(() => {
    const app = new App({ outdir, skipValidation: false });
    composeDeployment(app, config, {}, [], {
      stack: (name, build) => (built.has(name) ? build(config) : new ReusedStack(app, name, '{}')),
    });
    try {
      app.synth();
      return true;
    } catch {
      return false;
    }
  });
}

interface Entry {
  readonly stack: string;
  readonly observations: readonly Observation[];
  readonly json: string;
}

describe.each([
  ['the default deployment', DEFAULT_CONFIG_FILE],
  ['the fleet example', FLEET_CONFIG_FILE],
])('the stack cache on %s', (_name, configFile) => {
  it('reuses a stack after a one-value edit only when a fresh synthesis writes the same bytes for it', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-soundness-'));
    const text = fs.readFileSync(configFile, 'utf8');
    const cacheDir = path.join(work, 'cache');
    const context = { root: projectRoot(), env: {}, day: '2026-01-01', entryFile: path.join(work, 'entry.js'), modules: () => [] };
    const base = synthesizeAudited(
      path.join(work, 'base'),
      parseDeploymentConfig(text),
      [],
      new StackCache(cacheDir, context, { outdirName: 'o', rules: [] }),
    );
    base.keep(path.join(work, 'base'));
    const entries = fs.readdirSync(cacheDir).map((file) => JSON.parse(fs.readFileSync(path.join(cacheDir, file), 'utf8')) as Entry);
    expect(entries.length).toBeGreaterThan(0);

    let edits = 0;
    let reused = 0;
    const unsound: string[] = [];
    for (const at of scalarPaths(parseDocument(text).contents)) {
      for (const value of otherValues(parseDocument(text).getIn(at))) {
        const document = parseDocument(text);
        document.setIn(at, value);
        let config;
        try {
          config = parseDeploymentConfig(document.toString());
        } catch {
          continue;
        }
        const holding = entries.filter((entry) => observationsHold(entry.observations, config));
        if (holding.length === 0) continue;
        const outdir = fs.mkdtempSync(path.join(work, 'edit-'));
        if (!synthesizedFresh(outdir, config, new Set(holding.map((entry) => entry.stack)))) continue;
        edits += 1;
        for (const entry of holding) {
          reused += 1;
          const file = path.join(outdir, 'stacks', entry.stack, 'cdk.tf.json');
          const fresh = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
          if (fresh !== entry.json) unsound.push(`${at.join('.')} = ${JSON.stringify(value)}: ${entry.stack}`);
        }
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
    expect(unsound).toEqual([]);
    // Enough edits were judged for the result to mean something.
    expect(edits).toBeGreaterThan(80);
    expect(reused).toBeGreaterThan(edits);
  }, 600_000);
});
