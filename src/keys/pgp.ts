import type { PrivateKey } from 'openpgp';

/**
 * OpenPGP operations on the instance key and on finders' keys. openpgp is large, so it is
 * loaded on first use. Instance keys are `ecc` (curve25519 legacy EdDSA/ECDH): GnuPG 2.2, which
 * most PSIRT desktops run, cannot decrypt messages to RFC 9580 `curve25519` keys.
 */
const openpgpModule = () => import('openpgp');

export interface GeneratedKey {
  fingerprint: string;
  algorithm: string;
  publicKey: string;
  privateKey: string;
}

export async function generateInstanceKey(name: string, email: string, now: Date): Promise<GeneratedKey> {
  const { generateKey, readKey } = await openpgpModule();
  const { publicKey, privateKey } = await generateKey({
    type: 'ecc',
    curve: 'curve25519Legacy',
    userIDs: [{ name, email }],
    date: now,
    format: 'armored',
  });
  const key = await readKey({ armoredKey: publicKey });
  return {
    fingerprint: key.getFingerprint().toUpperCase(),
    algorithm: 'ed25519/cv25519 (ecc)',
    publicKey,
    privateKey,
  };
}

export async function readPrivateKeys(armored: readonly string[]): Promise<PrivateKey[]> {
  const { readPrivateKey } = await openpgpModule();
  return Promise.all(armored.map((k) => readPrivateKey({ armoredKey: k })));
}

/** Encrypts (and signs, with the instance key) a text to a recipient's public key. */
export async function encryptText(text: string, recipientArmored: string, signingArmored?: string): Promise<string> {
  const { createMessage, encrypt, readKey, readPrivateKey } = await openpgpModule();
  const encryptionKeys = await readKey({ armoredKey: recipientArmored });
  const signingKeys = signingArmored ? await readPrivateKey({ armoredKey: signingArmored }) : undefined;
  return encrypt({
    message: await createMessage({ text }),
    encryptionKeys,
    ...(signingKeys ? { signingKeys } : {}),
    format: 'armored',
  });
}

/**
 * `encryptText` for many recipients of one mail: the instance key is read once, not per recipient
 * (a notification job encrypts to hundreds of keys).
 */
export async function textEncryptor(
  signingArmored?: string,
): Promise<(text: string, recipientArmored: string) => Promise<string>> {
  const { createMessage, encrypt, readKey, readPrivateKey } = await openpgpModule();
  const signingKeys = signingArmored ? await readPrivateKey({ armoredKey: signingArmored }) : undefined;
  return async (text, recipientArmored) =>
    encrypt({
      message: await createMessage({ text }),
      encryptionKeys: await readKey({ armoredKey: recipientArmored }),
      ...(signingKeys ? { signingKeys } : {}),
      format: 'armored',
    });
}

/** An OpenPGP cleartext signature (RFC 9116 allows security.txt to be signed this way). */
export async function clearSign(text: string, signingArmored: string): Promise<string> {
  const { createCleartextMessage, readPrivateKey, sign } = await openpgpModule();
  const signingKeys = await readPrivateKey({ armoredKey: signingArmored });
  return sign({ message: await createCleartextMessage({ text }), signingKeys, format: 'armored' });
}
