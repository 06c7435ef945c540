import { spliceSection } from '../../scripts/bench/report-sections';

describe('spliceSection', () => {
  it('appends a missing section and replaces an existing one in place, keeping the others', () => {
    const first = spliceSection('', 'synthesis', '# Benchmarks\n\nsynth v1');
    const both = spliceSection(first, 'deploy', '## Deploy\n\ndeploy v1');
    const updated = spliceSection(both, 'synthesis', '# Benchmarks\n\nsynth v2');
    expect(updated).toBe(
      '<!-- bench:synthesis -->\n# Benchmarks\n\nsynth v2\n<!-- /bench:synthesis -->\n\n<!-- bench:deploy -->\n## Deploy\n\ndeploy v1\n<!-- /bench:deploy -->\n',
    );
    expect(spliceSection(updated, 'deploy', 'deploy v2')).toContain('synth v2');
  });

  it('refuses section names that could break the markers', () => {
    expect(() => spliceSection('', 'x -->', 'body')).toThrow('lower-case words');
  });
});
