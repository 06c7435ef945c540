/**
 * The HCL writer OpenBao's server configuration and policies are rendered with: JSON-style quoting,
 * nesting, and refusals. The rendered configuration as HashiCorp's HCL 1 parser reads it is in
 * openbao-server-config.ttest.ts (npm run test:tools).
 */
import { attribute, block, renderHcl } from '../../render/openbao/hcl';

describe('HCL writer', () => {
  it('quotes strings JSON-style and nests objects', () => {
    expect(
      renderHcl([block('seal', ['static'], [attribute('current_key', 'file:///k'), attribute('data', { options: { version: '2' } })])]),
    ).toBe('seal "static" {\n  current_key = "file:///k"\n  data = {\n    options = {\n      version = "2"\n    }\n  }\n}\n');
  });

  it.each([['${var.x}'], ['%{ if x }']])('refuses an interpolation sequence %s rather than escaping it', (value) => {
    expect(() => renderHcl([attribute('x', value)])).toThrow(/interpolation/);
  });

  it('refuses a key that is not an identifier', () => {
    expect(() => renderHcl([attribute('bad key', 'x')])).toThrow(/not an HCL identifier/);
  });
});
