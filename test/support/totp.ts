/**
 * RFC 6238 TOTP as Keycloak's default OTP policy computes it (HMAC-SHA1, 6 digits, 30 s
 * period), and RFC 4648 base32, the encoding of the secret Keycloak shows on its enrolment page
 * (grouped in fours with spaces, no padding).
 */
import { createHmac } from 'node:crypto';

export interface TotpOptions {
  /** HMAC hash: Keycloak's default policy uses SHA-1 ("HmacSHA1"). */
  readonly algorithm?: 'sha1' | 'sha256' | 'sha512';
  readonly digits?: number;
  readonly periodSeconds?: number;
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes base32 (RFC 4648), ignoring spaces, case and `=` padding, as authenticator apps read Keycloak's shown secret. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const character of clean) {
    const value = BASE32_ALPHABET.indexOf(character);
    if (value < 0) throw new Error(`not a base32 character: ${JSON.stringify(character)}`);
    buffer = ((buffer << 5) | value) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** RFC 4226 HOTP of `counter` with `key`. */
export function hotp(key: Buffer, counter: bigint, options: TotpOptions = {}): string {
  const digits = options.digits ?? 6;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = createHmac(options.algorithm ?? 'sha1', key)
    .update(message)
    .digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 TOTP at `timeMs` (epoch milliseconds, default now). */
export function totp(key: Buffer, timeMs: number = Date.now(), options: TotpOptions = {}): string {
  const period = options.periodSeconds ?? 30;
  return hotp(key, BigInt(Math.floor(timeMs / 1000 / period)), options);
}

/** The code an authenticator app shows for the base32 secret Keycloak displays (its default policy). */
export function totpFromBase32(secret: string, timeMs: number = Date.now(), options: TotpOptions = {}): string {
  return totp(base32Decode(secret), timeMs, options);
}

/** Milliseconds until the current 30 s step ends (to avoid submitting a code that expires in flight). */
export function msLeftInStep(timeMs: number = Date.now(), periodSeconds = 30): number {
  return periodSeconds * 1000 - (timeMs % (periodSeconds * 1000));
}
