/** `npm run audit -- <dir>`: any directory of Terraform JSON, evidence written, non-zero exit on errors. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPORT_FILES } from '../../policies/reports';
import { runAudit } from '../../scripts/audit';
import { OUTPUT_MARKER } from '../../stacks/output-directory';
import { DEFAULT_CONFIG_FILE } from '../config/config-fixtures';
import { sharedSynthesis } from '../support/shared-synthesis';
import { tempDirectory } from '../support/slapd';

function run(args: string[]): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = runAudit(args, { out: (text) => (out += text), err: (text) => (err += text) });
  return { status, out, err };
}

/** Another project's hand-written Terraform JSON (not cdktf): a privileged pod, a floating chart. */
const FOREIGN = {
  terraform: { required_providers: { kubernetes: { source: 'hashicorp/kubernetes', version: '~> 2.0' } } },
  resource: {
    kubernetes_pod_v1: {
      debug: {
        metadata: { name: 'debug', namespace: 'default' },
        spec: { container: [{ name: 'shell', image: 'busybox', security_context: { privileged: true } }] },
      },
    },
    helm_release: { tooling: { name: 'tooling', chart: 'tooling', repository: 'http://charts.example.org', version: '>= 1.0' } },
  },
};

describe('standalone audit', () => {
  it("passes this app's synthesized output and writes every evidence file", () => {
    const outdir = sharedSynthesis('default');
    const evidence = path.join(tempDirectory('audit-cli-'), 'evidence');
    const result = run([outdir, '--config', DEFAULT_CONFIG_FILE, '--out', evidence]);
    expect(result).toMatchObject({ status: 0, err: '' });
    expect(result.out).toMatch(/audited 10 stacks with \d+ rules: 0 errors/);
    expect(fs.readdirSync(evidence).sort()).toEqual([...REPORT_FILES, OUTPUT_MARKER].sort());
  });

  describe('judges a synthesized output with the site facts it records', () => {
    const outdir = sharedSynthesis('default');
    const evidenceRoot = tempDirectory('audit-facts-');
    const verdict = (args: string[]) => {
      const evidence = path.join(evidenceRoot, `evidence-${args.length}-${path.basename(args[0] ?? '')}`);
      const result = run([...args, '--out', evidence, '--date', '2027-01-01']);
      const json = JSON.parse(fs.readFileSync(path.join(evidence, 'audit.json'), 'utf8')) as { findings: unknown[]; notJudged: unknown[] };
      return { status: result.status, findings: json.findings, notJudged: json.notJudged };
    };

    it('the same verdict without --config as with it, for the output and for its stacks folder', () => {
      const withConfig = verdict([path.join(outdir, 'stacks'), '--config', DEFAULT_CONFIG_FILE]);
      expect(withConfig).toEqual({ status: 0, findings: [], notJudged: [] });
      expect(verdict([path.join(outdir, 'stacks')])).toEqual(withConfig);
      expect(verdict([outdir])).toEqual(withConfig);
    });

    it('a copy without the record: no false error, and the parts not judged are listed', () => {
      const copy = tempDirectory('audit-copy-');
      fs.cpSync(path.join(outdir, 'stacks'), copy, { recursive: true });
      const result = verdict([copy]);
      expect(result).toMatchObject({ status: 0, findings: [] });
      expect(result.notJudged).toEqual(
        expect.arrayContaining([expect.objectContaining({ ruleId: 'NET-05' }), expect.objectContaining({ ruleId: 'LOG-02' })]),
      );
    });
  });

  it('audits a foreign directory of *.tf.json, exits 1 and names rule, address and fix for each error', () => {
    const directory = tempDirectory('foreign-');
    fs.writeFileSync(path.join(directory, 'main.tf.json'), JSON.stringify(FOREIGN, null, 2));
    const result = run([directory]);
    expect(result.status).toBe(1);
    for (const expected of [
      /\[POD-06\] kubernetes_pod_v1\.debug/,
      /\[POD-09\] kubernetes_pod_v1\.debug/,
      /\[IMG-01\] kubernetes_pod_v1\.debug/,
      /\[IMG-03\] helm_release\.tooling/,
      /\[IMG-03\] terraform\.required_providers\.kubernetes/,
    ]) {
      expect(result.err).toMatch(expected);
    }
    expect(result.err).toMatch(/Fix: /);
    const sarif = JSON.parse(fs.readFileSync(path.join(directory, 'audit', 'audit.sarif'), 'utf8')) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[] }[];
    };
    const located = sarif.runs[0]?.results.find((entry) => entry.locations[0]?.physicalLocation.region !== undefined);
    expect(located?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/main\.tf\.json$/);
  });

  it.each([
    ['no directory', [], /missing the directory/],
    ['an unknown option', ['.', '--strict'], /unknown option --strict/],
    ['a bad date', ['.', '--date', 'tomorrow'], /--date must be YYYY-MM-DD/],
  ])('refuses %s with exit 2 and the usage', (_name, args, message) => {
    const result = run(args);
    expect(result.status).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.err).toMatch(/usage: npm run audit/);
  });

  it('exits 2 when there is nothing to audit', () => {
    const result = run([tempDirectory('empty-')]);
    expect(result).toMatchObject({ status: 2, err: expect.stringMatching(/no \*\.tf\.json file found/) });
  });
});
