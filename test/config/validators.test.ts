import { effectiveImage, parseImageReference } from '../../config/image-reference';
import { cidrContains, dnsNameProblem, isAnyAddress, parseCidr, serverNameProblem } from '../../config/validators';

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);

describe('dnsNameProblem', () => {
  it.each(['gouv.fr', 'matrix.agency.example.org', 'xn--bcher-kva.example', 'a-b.c-d.example'])('accepts %s', (name) => {
    expect(dnsNameProblem(name)).toBeNull();
  });
  it.each([
    ['evil-gouv.fr ', /whitespace/],
    ['gouv.fr\n', /whitespace/],
    ['*.gouv.fr', /wildcard/],
    ['gouv.fr$', /not a pattern/],
    ['^gouv\\.fr', /not a pattern/],
    ['Gouv.fr', /lowercase/],
    ['gouv.fr.', /dot/],
    ['gouv', /two labels/],
    ['-gouv.fr', /label/],
    ['x@gouv.fr', /label/],
    ['10.0.0.1', /IP address/],
  ])('rejects %j', (name, rule) => {
    expect(dnsNameProblem(name)).toMatch(rule);
  });
});

describe('serverNameProblem', () => {
  it.each(['example.org', 'example.org:8448'])('accepts %s', (name) => expect(serverNameProblem(name)).toBeNull());
  it.each([['example.org:0'], ['example.org:65536'], ['example.org:'], ['[::1]:8448']])('rejects %s', (name) =>
    expect(serverNameProblem(name)).not.toBeNull(),
  );
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 4, 8],
    ['0.0.0.0/0', 4, 0],
    ['169.254.169.254/32', 4, 32],
    ['fd00::/8', 6, 8],
    ['::/0', 6, 0],
    ['fd00:ec2::254/128', 6, 128],
  ])('parses %s', (text, family, prefix) => {
    expect(parseCidr(text)).toMatchObject({ family, prefix, text });
  });
  it.each([
    ['10.0.0.1/8', /host bits/],
    ['10.0.0.0', /must be a CIDR/],
    ['256.0.0.0/8', /not a valid IPv4/],
    ['01.0.0.0/8', /not a valid IPv4/],
    ['10.0.0.0/33', /longer than 32/],
    ['fd00:::1/64', /not a valid IPv6/],
    ['FD00::/8', /not a valid IPv6/],
  ])('rejects %s', (text, rule) => {
    expect(parseCidr(text)).toMatch(rule);
  });
  it('tests containment within one family only', () => {
    const any4 = parseCidr('0.0.0.0/0');
    const pods = parseCidr('10.244.0.0/16');
    const any6 = parseCidr('::/0');
    if (typeof any4 === 'string' || typeof pods === 'string' || typeof any6 === 'string') throw new Error('fixture');
    expect(cidrContains(any4, pods)).toBe(true);
    expect(cidrContains(pods, any4)).toBe(false);
    expect(cidrContains(any6, pods)).toBe(false);
    expect(isAnyAddress('::/0')).toBe(true);
    expect(isAnyAddress('10.0.0.0/8')).toBe(false);
  });
});

describe('image references', () => {
  it('parses registry, repository, tag and digest', () => {
    expect(parseImageReference(`ghcr.io/element-hq/synapse:v1.159.0@${DIGEST}`)).toEqual({
      registry: 'ghcr.io',
      repository: 'element-hq/synapse',
      tag: 'v1.159.0',
      digest: DIGEST,
    });
    expect(parseImageReference(`registry.local:5000/team/app@${DIGEST}`)).toMatchObject({
      registry: 'registry.local:5000',
      repository: 'team/app',
    });
  });
  it.each([
    ['ghcr.io/element-hq/synapse:v1.159.0', /pinned by digest/],
    ['ghcr.io/element-hq/synapse:latest', /pinned by digest/],
    [`element-hq/synapse@${DIGEST}`, /registry explicitly/],
    [`ghcr.io/Element/synapse@${DIGEST}`, /form registry/],
    [`ghcr.io/element-hq/synapse@sha256:${'A'.repeat(64)}`, /form registry/],
    [`ghcr.io/element-hq/synapse@sha512:${'a'.repeat(128)}`, /pinned by digest/],
  ])('rejects %s', (reference, rule) => {
    expect(parseImageReference(reference)).toMatch(rule);
  });
  it('rewrites through a mirror prefix keeping the original registry as a path segment', () => {
    const reference = parseImageReference(`docker.io/library/haproxy:3.2@${DIGEST}`);
    if (typeof reference === 'string') throw new Error(reference);
    expect(effectiveImage(reference)).toBe(`docker.io/library/haproxy:3.2@${DIGEST}`);
    expect(effectiveImage(reference, 'mirror.example/proxy')).toBe(`mirror.example/proxy/docker.io/library/haproxy:3.2@${DIGEST}`);
    expect(parseImageReference(effectiveImage(reference, 'mirror.example/proxy'))).toMatchObject({
      registry: 'mirror.example',
      digest: DIGEST,
    });
  });
});
