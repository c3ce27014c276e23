import { validation } from '../core/errors.ts';

export interface PublicKeyInfo {
  armored: string;
  fingerprint: string;
  expiresAt: Date | null;
}

/** Reads an armored OpenPGP public key; refuses private keys, revoked or expired keys. */
export async function parsePublicKey(armored: string, now: Date): Promise<PublicKeyInfo> {
  const text = armored.trim();
  if (text.length > 100_000)
    throw validation('the OpenPGP key is too large (100 kB at most)', { field: 'pgpPublicKey' });
  // openpgp is large; it is loaded on first use so that start-up stays fast.
  const { readKey } = await import('openpgp');
  let key;
  try {
    key = await readKey({ armoredKey: text });
  } catch {
    throw validation('the OpenPGP key could not be read: paste an ASCII-armored public key block', {
      field: 'pgpPublicKey',
    });
  }
  if (key.isPrivate()) {
    throw validation('this is a private key: paste the PUBLIC key block only, and keep the private key secret', {
      field: 'pgpPublicKey',
    });
  }
  if (await key.isRevoked(undefined, undefined, now)) {
    throw validation('this OpenPGP key is revoked', { field: 'pgpPublicKey' });
  }
  const exp = await key.getExpirationTime();
  const expiresAt = exp instanceof Date ? exp : null;
  if (expiresAt && expiresAt.getTime() <= now.getTime()) {
    throw validation(`this OpenPGP key expired on ${expiresAt.toISOString().slice(0, 10)}`, { field: 'pgpPublicKey' });
  }
  return { armored: key.armor(), fingerprint: key.getFingerprint().toUpperCase(), expiresAt };
}
