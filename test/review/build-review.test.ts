/** A review compares two sides analysed on their own, judged on one date. */
import { siteFactsOf } from '../../policies/site-facts';
import { buildReview, compareSides, reviewSide } from '../../review/build-review';
import { snapshotOf } from '../../review/snapshot';
import { REVIEW_DATE, SITE_CONFIG, synthesizeStacks } from './review-fixtures';

const facts = siteFactsOf(SITE_CONFIG);
const base = snapshotOf(synthesizeStacks(), 'main', 'a'.repeat(40));
const head = snapshotOf([], 'HEAD', 'b'.repeat(40));

describe('compareSides', () => {
  it('is the review buildReview makes of the same two sides', () => {
    const context = { facts, now: REVIEW_DATE };
    expect(compareSides(reviewSide(base, context), reviewSide(head, context), ['a note'])).toEqual(
      buildReview({ base, head, context, notes: ['a note'] }),
    );
  });

  it('refuses sides audited on different dates', () => {
    const later = new Date(REVIEW_DATE.getTime() + 86_400_000);
    expect(() => compareSides(reviewSide(base, { facts, now: REVIEW_DATE }), reviewSide(head, { facts, now: later }))).toThrow(
      /judged on one date/,
    );
  });
});
