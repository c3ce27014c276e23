/**
 * OpenPGP in the browser for finders who encrypt before sending. openpgp is imported dynamically,
 * so its chunk is fetched only by the pages that encrypt, not by every staff screen.
 */

async function load() {
  return import('openpgp');
}

/** Encrypts `text` to the armored public key; the answer is an armored PGP message. */
export async function encryptText(armoredKey: string, text: string): Promise<string> {
  const openpgp = await load();
  const encryptionKeys = await openpgp.readKey({ armoredKey });
  const message = await openpgp.createMessage({ text });
  return openpgp.encrypt({ message, encryptionKeys, format: 'armored' });
}

/** The fingerprint computed from the key itself (upper-case hex), to check the one the server states. */
export async function keyFingerprint(armoredKey: string): Promise<string> {
  const openpgp = await load();
  const key = await openpgp.readKey({ armoredKey });
  return key.getFingerprint().toUpperCase();
}

/** "ABCD EF01 …": fingerprints are read aloud and compared in groups of four. */
export function groupFingerprint(fingerprint: string): string {
  return (
    fingerprint
      .replace(/\s+/g, '')
      .toUpperCase()
      .match(/.{1,4}/g)
      ?.join(' ') ?? fingerprint
  );
}
