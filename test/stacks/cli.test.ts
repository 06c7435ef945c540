/** The README's main command path (`npm run synth`, cdktf.json's app): the app command itself, as a process. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { appCommandOf } from '../../config/app-command';
import { projectRoot } from '../../config/project-root';

const root = projectRoot();
const appCommand = appCommandOf(root) ?? '';
const packageScripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
  .scripts;

/** Through a shell, as the cdktf CLI and the review run it, with the arguments appended. */
function runMain(args: string[], outdir: string) {
  return spawnSync('sh', ['-c', `${appCommand} "$@"`, 'sh', ...args], {
    encoding: 'utf8',
    cwd: root,
    env: { ...process.env, CDKTF_OUTDIR: outdir },
  });
}

it('npm run synth and cdktf.json run the same app command', () => {
  expect(appCommand).not.toBe('');
  expect(packageScripts.synth).toBe(appCommand);
});

describe(`the app command (${appCommand})`, () => {
  it('synthesizes the default deployment and exits 0', () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'cdktf.out');
    const result = runMain([], outdir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/synthesized 10 stacks/);
    expect(fs.readdirSync(path.join(outdir, 'stacks')).sort()).toEqual([
      'agency-calls',
      'agency-client',
      'agency-directory',
      'agency-gateway',
      'agency-homeserver',
      'agency-identity',
      'agency-media',
      'matrix-platform',
      'matrix-secret-generation',
      'matrix-secret-store',
    ]);
  });

  it('exits 2 on an invalid config, names the field path, and writes nothing', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bad-'));
    const bad = path.join(directory, 'bad.yaml');
    const text = fs
      .readFileSync(path.join(root, 'config', 'default.yaml'), 'utf8')
      .replace(/(openldap: docker\.io\/bitnamilegacy\/openldap:[^@]+)@sha256:[0-9a-f]+/, '$1');
    fs.writeFileSync(bad, `${text}\nsurprise: true\n`);
    const result = runMain([bad], path.join(directory, 'cdktf.out'));
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/images\.openldap: must be pinned by digest/);
    expect(result.stderr).toMatch(/surprise: unknown key/);
    expect(fs.readdirSync(directory)).toEqual(['bad.yaml']);
  });
});
