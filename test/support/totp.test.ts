import { base32Decode, hotp, totp, totpFromBase32 } from './totp';

// RFC 6238 appendix B: the seeds are the ASCII strings "1234567890" repeated to the hash's key length.
const SEEDS = {
  sha1: Buffer.from('12345678901234567890', 'ascii'),
  sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
} as const;

// [time (s), TOTP SHA1, TOTP SHA256, TOTP SHA512], 8 digits, 30 s steps.
const VECTORS: readonly (readonly [number, string, string, string])[] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('RFC 6238 TOTP', () => {
  it.each(VECTORS)('at %i s: appendix B vectors for SHA1, SHA256 and SHA512', (seconds, sha1, sha256, sha512) => {
    expect(totp(SEEDS.sha1, seconds * 1000, { digits: 8 })).toBe(sha1);
    expect(totp(SEEDS.sha256, seconds * 1000, { digits: 8, algorithm: 'sha256' })).toBe(sha256);
    expect(totp(SEEDS.sha512, seconds * 1000, { digits: 8, algorithm: 'sha512' })).toBe(sha512);
  });

  it("defaults to Keycloak's policy: SHA1, 6 digits (the last six of the 8-digit vector), 30 s", () => {
    expect(totp(SEEDS.sha1, 59_000)).toBe('287082');
    expect(totp(SEEDS.sha1, 1111111109_000)).toBe('081804');
    // The step boundary: 59 s is step 1, 60 s step 2.
    expect(totp(SEEDS.sha1, 60_000)).toBe(hotp(SEEDS.sha1, 2n));
  });

  it('decodes base32 as Keycloak shows secrets (groups of four, spaces, lower or upper case)', () => {
    // RFC 4648 section 10 test vectors.
    expect(base32Decode('MZXW6YTBOI======').toString()).toBe('foobar');
    expect(base32Decode('MZXW 6YTB OI').toString()).toBe('foobar');
    expect(base32Decode('mzxw6ytboi').toString()).toBe('foobar');
    expect(base32Decode('').length).toBe(0);
    expect(() => base32Decode('MZ1W')).toThrow(/base32/);
    // The SHA1 seed in base32 gives the same codes.
    expect(totpFromBase32('GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ', 59_000)).toBe('287082');
  });
});
