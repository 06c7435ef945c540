/**
 * A config is loaded only through model/load-config.ts, so the model's checks (derived names,
 * own namespaces and labels, self-peers) cannot be skipped: nothing else calls config's
 * validating reader.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../../config/project-root';

const ENTRY_POINTS = ['config/load-config.ts', 'model/load-config.ts'];
const SKIPPED = new Set(['node_modules', '.git', 'dist', 'cdktf.out']);

function sourceFiles(root: string, relative = ''): string[] {
  return fs.readdirSync(path.join(root, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = path.posix.join(relative, entry.name);
    if (entry.isDirectory()) return SKIPPED.has(entry.name) || entry.name.startsWith('cdktf.out') ? [] : sourceFiles(root, child);
    return entry.name.endsWith('.ts') ? [child] : [];
  });
}

it('calls validateDeploymentConfig only from the load entry point', () => {
  const root = projectRoot();
  const callers = sourceFiles(root).filter(
    (file) =>
      !ENTRY_POINTS.includes(file) &&
      !file.startsWith('test/architecture/') &&
      fs.readFileSync(path.join(root, file), 'utf8').includes('validateDeploymentConfig'),
  );
  expect(callers).toEqual([]);
});
