import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Random bearer secrets. Only their SHA-256 is stored; the clear value is shown once. */
export function newSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const API_TOKEN_PREFIX = 'acc_';
export const SESSION_PREFIX = 'accs_';
