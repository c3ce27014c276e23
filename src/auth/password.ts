import { hash, verify } from '@node-rs/argon2';
import { validation } from '../core/errors.ts';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 passes). */
/** 2 = Algorithm.Argon2id (a const enum, which isolated modules cannot import). */
const options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

export function checkPasswordPolicy(password: string, email?: string): void {
  if (password.length < PASSWORD_MIN) {
    throw validation(`the password is too short: use at least ${PASSWORD_MIN} characters`, { field: 'password' });
  }
  if (password.length > PASSWORD_MAX) {
    throw validation(`the password is too long: use at most ${PASSWORD_MAX} characters`, { field: 'password' });
  }
  if (email && password.toLowerCase() === email.toLowerCase()) {
    throw validation('the password must not be your e-mail address', { field: 'password' });
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

/** A fixed hash so that a login for an unknown e-mail costs as much time as a real one. */
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummyHash ??= hash('accord-timing-equalizer', options);
    await verify(await dummyHash, password);
    return false;
  }
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}
