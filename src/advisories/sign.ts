import { createHash } from 'node:crypto';

/**
 * What a CSAF trusted provider publishes beside each document: its SHA-256 and SHA-512 in the
 * `sha256sum` format (`<hex>  <filename>`) and a detached, ASCII-armored OpenPGP signature made
 * with the instance key over the exact bytes served.
 */
export function hashLine(algorithm: 'sha256' | 'sha512', bytes: string, filename: string): string {
  return `${createHash(algorithm).update(bytes, 'utf8').digest('hex')}  ${filename}\n`;
}

export async function detachedSignature(bytes: string, privateKeyArmored: string): Promise<string> {
  const { createMessage, readPrivateKey, sign } = await import('openpgp');
  const signingKeys = await readPrivateKey({ armoredKey: privateKeyArmored });
  const message = await createMessage({ binary: new TextEncoder().encode(bytes) });
  return sign({ message, signingKeys, detached: true, format: 'armored' });
}

export async function verifyDetached(
  bytes: string,
  signatureArmored: string,
  publicKeyArmored: string,
): Promise<boolean> {
  const { createMessage, readKey, readSignature, verify } = await import('openpgp');
  const result = await verify({
    message: await createMessage({ binary: new TextEncoder().encode(bytes) }),
    signature: await readSignature({ armoredSignature: signatureArmored }),
    verificationKeys: await readKey({ armoredKey: publicKeyArmored }),
  });
  try {
    await result.signatures[0]?.verified;
    return result.signatures.length > 0;
  } catch {
    return false;
  }
}
