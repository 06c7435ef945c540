/** The review as Markdown: order of sections, what is shown, redaction, and the 65,000-character cut. */
import { siteFactsOf } from '../../policies/site-facts';
import { buildReview } from '../../review/build-review';
import { lineDiff } from '../../review/line-diff';
import { cutLines, safeValue } from '../../review/markdown';
import { renderReview, REVIEW_LIMIT, REVIEW_MARKER } from '../../review/render-review';
import { snapshotOf } from '../../review/snapshot';
import type { JsonObject } from '../../tfjson/terraform-json';
import { blockAt, find, REVIEW_DATE, reviewAgainstDefault, SITE_CONFIG, synthesizeStacks } from './review-fixtures';

const balanced = (text: string) => {
  const fences = text.split('\n').filter((line) => line.startsWith('```')).length;
  const opened = (text.match(/<details>/g) ?? []).length;
  const closed = (text.match(/<\/details>/g) ?? []).length;
  return fences % 2 === 0 && opened === closed;
};

describe('a small change', () => {
  const review = reviewAgainstDefault((head) => {
    const data = find(head, 'ConfigMap agency-homeserver/synapse-config').body.data as JsonObject;
    data['homeserver.yaml'] = String(data['homeserver.yaml']).replace(/^allow_guest_access: false$/m, 'allow_guest_access: true');
    blockAt(find(head, 'Service agency-homeserver/synapse').body, 'spec').type = 'LoadBalancer';
  });
  const { comment, full, truncated } = renderReview(review);

  it('starts with the marker CI updates its comment by, then names the head commit, the base and both synth hashes', () => {
    expect(comment.split('\n')[0]).toBe(REVIEW_MARKER);
    expect(comment).toContain('# Deployment review: `bbbbbbbbbbbb` against `main`');
    expect(comment).toContain(review.base.hash);
    expect(comment).toContain(review.head.hash);
    expect(review.base.hash).not.toBe(review.head.hash);
  });

  it('puts the security deltas before the resource changes and the details', () => {
    const security = comment.indexOf('## Security deltas');
    expect(security).toBeGreaterThan(0);
    expect(comment.indexOf('## Resource changes')).toBeGreaterThan(security);
    expect(comment.indexOf('## Details')).toBeGreaterThan(comment.indexOf('## Resource changes'));
    expect(comment).toContain('| ConfigMap agency-homeserver/synapse-config homeserver.yaml | allow_guest_access | `false` | `true` |');
    expect(comment).toContain('| Service agency-homeserver/synapse | type | `ClusterIP` | `LoadBalancer` |');
  });

  it('shows the head audit verdict and the new findings', () => {
    expect(comment).toMatch(/Head policy audit: \*\*FAIL\*\*/);
    expect(comment).toMatch(/\*\*New findings \(\d+\):\*\*/);
  });

  it('collapses per-stack details and shows embedded files as a line diff', () => {
    expect(comment).toContain('<details><summary>agency-homeserver: 2 changed resources</summary>');
    expect(comment).toMatch(/```diff\n[^`]*-allow_guest_access: false\n\+allow_guest_access: true\n/);
    expect(balanced(comment)).toBe(true);
    expect([truncated, comment === full]).toEqual([false, true]);
  });
});

describe('a change too large for one comment', () => {
  // The whole fleet appearing at once (base: nothing) is the largest review this project makes.
  const fleet = synthesizeStacks('fleet');
  const edited = fleet.map((stack) => ({ name: stack.name, json: structuredClone(stack.json) }));
  for (const stack of edited) {
    // Relabel every object and touch every config file: every resource changes, the details are long.
    for (const byName of Object.values(stack.json.resource ?? {})) {
      for (const body of Object.values(byName)) {
        const metadata = body.metadata as JsonObject | undefined;
        if (metadata) metadata.labels = { ...(metadata.labels as JsonObject | undefined), 'matrix.sovereign/cost-centre': 'cc-4711' };
      }
    }
    for (const body of Object.values(stack.json.resource?.kubernetes_config_map_v1 ?? {})) {
      const data = body.data as JsonObject;
      for (const key of Object.keys(data)) data[key] = `${String(data[key])}\n# reviewed`;
    }
  }
  const review = buildReview({
    base: snapshotOf([], 'main'),
    head: snapshotOf(fleet, 'HEAD', 'c'.repeat(40)),
    context: { facts: siteFactsOf(SITE_CONFIG), now: REVIEW_DATE },
  });
  const changed = buildReview({
    base: snapshotOf(fleet, 'main'),
    head: snapshotOf(edited, 'HEAD', 'c'.repeat(40)),
    context: { facts: siteFactsOf(SITE_CONFIG), now: REVIEW_DATE },
  });

  it.each([
    ['everything added', review],
    ['every object relabelled and every config file changed', changed],
  ])(
    '%s: the comment stays under the limit, says it was cut and keeps its Markdown well-formed; the full review has everything',
    (_name, large) => {
      const { comment, full, truncated } = renderReview(large);
      expect(full.length).toBeGreaterThan(REVIEW_LIMIT);
      expect(truncated).toBe(true);
      expect(comment.length).toBeLessThanOrEqual(REVIEW_LIMIT);
      expect(comment).toContain('**This review was cut to 65,000 characters**');
      // Every kind of security delta keeps its share of the comment: a long one cannot push out the others.
      for (const title of [
        '## Security deltas',
        '### Network reachability',
        '### Exposure',
        '### Privileges',
        '### Secret references',
        '### Images, charts and providers',
        '### Synapse settings',
        '### Policy suppressions',
        '### Policy findings',
        '## Resource changes',
      ]) {
        expect(comment).toContain(`\n${title}\n`);
      }
      expect(balanced(comment)).toBe(true);
      expect(balanced(full)).toBe(true);
    },
  );
});

describe('building blocks', () => {
  it('withholds anything that looks like a secret, by the same scanner as SEC-01', () => {
    expect(safeValue('password', 'hunter2-correct-horse-battery')).toMatch(/^\[withheld: /);
    expect(
      safeValue('image', 'docker.io/library/haproxy:3.2.7-alpine@sha256:3b80483d47e1c7d1fc7eb4b9104f33d9a51259769be299eb675524dca2bc8157'),
    ).not.toMatch(/withheld/);
  });

  it('a fake secret planted in the head never reaches the review', () => {
    const planted = 'ed25519 a_mxs1 c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0';
    const review = reviewAgainstDefault((head) => {
      const data = find(head, 'ConfigMap agency-homeserver/synapse-config').body.data as JsonObject;
      data['signing.key'] = planted;
      data['homeserver.yaml'] = `${String(data['homeserver.yaml'])}\nform_secret: ${planted}\n`;
    });
    const { full } = renderReview(review);
    expect(full).not.toContain('c2VjcmV0c2VjcmV0');
    expect(full).toContain('[withheld: ');
  });

  it('line diff: removals before additions, context, and nothing for equal texts', () => {
    expect(lineDiff('a\nb\nc\nd\ne\nf\ng', 'a\nb\nc\nX\ne\nf\ng')).toEqual([' b', ' c', '-d', '+X', ' e', ' f']);
    expect(lineDiff('same', 'same')).toEqual([]);
    expect(lineDiff('1\n2\n3\n4\n5\n6\n7\n8\n9', '0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n10')).toEqual(['+0', ' 1', ' 2', '...', ' 8', ' 9', '+10']);
  });

  it('cutLines closes an open code fence and details block it cuts through', () => {
    const lines = [
      '<details><summary>x</summary>',
      '',
      '```diff',
      ...Array.from({ length: 100 }, (_, index) => `+line ${index}`),
      '```',
      '</details>',
    ];
    const { kept, omitted } = cutLines(lines, 400);
    expect(omitted).toBeGreaterThan(0);
    expect(balanced(kept.join('\n'))).toBe(true);
    expect(kept.join('\n').length).toBeLessThanOrEqual(400);
  });
});
