import type { DecryptMessageResult, Message, PrivateKey, PublicKey } from 'openpgp';
import { AppError, asError } from '../core/errors.ts';
import { intakeError } from './mime.ts';

/** A signature found on a mail. `fingerprint` is the primary key's, and only set once verified. */
export interface IntakeSignature {
  /** The signing (sub)key id, 16 upper-case hex digits. */
  keyId: string;
  fingerprint?: string;
  verified: boolean;
  /** Why `verified` is false, for a person to read. */
  problem?: string;
}

export interface PgpKeyInputs {
  /** The instance's private keys (unlocked), or their armored text. Parse once and pass objects to save time. */
  decryptionKeys: readonly (PrivateKey | string)[];
  /** Public keys to check signatures against (e.g. the sender's, from their profile). */
  verificationKeys?: readonly (PublicKey | string)[] | undefined;
  /** Decompressed plaintext beyond this is refused (a compressed "bomb"). */
  maxDecryptedBytes: number;
}

export interface Pgp {
  decrypt(payload: Buffer, what: string): Promise<{ data: Buffer; signature?: IntakeSignature }>;
  verifyDetached(content: Buffer, signature: Buffer): Promise<IntakeSignature>;
  verifyCleartext(armored: string): Promise<{ text: string; signature: IntakeSignature } | null>;
}

type VerificationResult = DecryptMessageResult['signatures'][number];

function armorHead(data: Buffer): string {
  return data.subarray(0, 1024).toString('latin1').trimStart();
}

/** Whether a part or attachment body is an ASCII-armored OpenPGP message (not a key or a signature). */
export function isArmoredMessage(data: Buffer): boolean {
  return armorHead(data).startsWith('-----BEGIN PGP MESSAGE-----');
}

function isArmored(data: Buffer): boolean {
  return armorHead(data).startsWith('-----BEGIN PGP ');
}

// openpgp is large; it is loaded with the first encrypted or signed mail, not at start-up.
const openpgpModule = () => import('openpgp');

async function loadPrivateKeys(inputs: readonly (PrivateKey | string)[]): Promise<PrivateKey[]> {
  const { readPrivateKey } = await openpgpModule();
  const keys: PrivateKey[] = [];
  for (const [i, input] of inputs.entries()) {
    let key: PrivateKey;
    try {
      key = typeof input === 'string' ? await readPrivateKey({ armoredKey: input }) : input;
    } catch {
      throw new AppError('ERR_CONFIG', `intake decryption key #${i + 1} is not an ASCII-armored OpenPGP private key`);
    }
    if (!key.isDecrypted()) {
      throw new AppError(
        'ERR_CONFIG',
        `intake decryption key #${i + 1} (${key.getFingerprint().toUpperCase()}) is locked with a passphrase: unlock it before use`,
      );
    }
    keys.push(key);
  }
  return keys;
}

async function loadPublicKeys(inputs: readonly (PublicKey | string)[]): Promise<PublicKey[]> {
  const { readKey } = await openpgpModule();
  const keys: PublicKey[] = [];
  for (const [i, input] of inputs.entries()) {
    try {
      const key = typeof input === 'string' ? await readKey({ armoredKey: input }) : input;
      keys.push(key.isPrivate() ? key.toPublic() : key);
    } catch {
      throw new AppError('ERR_CONFIG', `verification key #${i + 1} is not an ASCII-armored OpenPGP public key`);
    }
  }
  return keys;
}

/** Reduces openpgp's per-signature promises to one answer: the first good signature, else the first one. */
async function summarize(results: VerificationResult[], keys: PublicKey[]): Promise<IntakeSignature | undefined> {
  if (results.length === 0) return undefined;
  for (const result of results) {
    try {
      await result.verified;
      const key = keys.find((k) => k.getKeys(result.keyID).length > 0);
      return {
        keyId: result.keyID.toHex().toUpperCase(),
        ...(key ? { fingerprint: key.getFingerprint().toUpperCase() } : {}),
        verified: true,
      };
    } catch {
      // try the next signature; the first one is reported below when none verifies
    }
  }
  const first = results[0] as VerificationResult;
  const known = keys.some((k) => k.getKeys(first.keyID).length > 0);
  return {
    keyId: first.keyID.toHex().toUpperCase(),
    verified: false,
    problem: known
      ? 'the signature does not match the content, or the signing key is expired or revoked'
      : 'the signing key is not among the keys given to check it',
  };
}

/** OpenPGP operations for one mail, keys read on first use, every library error turned into ours. */
export function createPgp(inputs: PgpKeyInputs): Pgp {
  let decryptionKeys: Promise<PrivateKey[]> | undefined;
  let verificationKeys: Promise<PublicKey[]> | undefined;
  const privateKeys = () => (decryptionKeys ??= loadPrivateKeys(inputs.decryptionKeys));
  const publicKeys = () => (verificationKeys ??= loadPublicKeys(inputs.verificationKeys ?? []));
  const config = { maxDecompressedMessageSize: inputs.maxDecryptedBytes };

  return {
    async decrypt(payload, what) {
      const openpgp = await openpgpModule();
      let message: Message<string> | Message<Uint8Array>;
      try {
        message = isArmoredMessage(payload)
          ? await openpgp.readMessage({ armoredMessage: payload.toString('latin1'), config })
          : await openpgp.readMessage({ binaryMessage: new Uint8Array(payload), config });
      } catch (err) {
        throw intakeError('malformed', `${what} is not a readable OpenPGP message`, err);
      }
      const keys = await privateKeys();
      const recipients = message.getEncryptionKeyIDs().map((id) => id.toHex().toUpperCase());
      if (recipients.length === 0) {
        throw intakeError('undecryptable', `${what} is encrypted with a passphrase, not to the instance key`);
      }
      if (keys.length === 0) {
        throw intakeError('undecryptable', `${what} is OpenPGP-encrypted, but no instance key is configured`);
      }
      const ours = keys.flatMap((k) => k.getKeyIDs().map((id) => id.toHex().toUpperCase()));
      const anonymous = recipients.includes('0000000000000000'); // gpg --throw-keyids
      if (!anonymous && !recipients.some((id) => ours.includes(id))) {
        const instance = keys.map((k) => k.getFingerprint().toUpperCase()).join(', ');
        throw intakeError(
          'undecryptable',
          `${what} is encrypted to key ${recipients.join(', ')}, not to the instance key ${instance}: ` +
            'the sender should encrypt to the key published in security.txt',
        );
      }
      const verifyWith = await publicKeys();
      try {
        const result = await openpgp.decrypt({
          message,
          decryptionKeys: keys,
          ...(verifyWith.length > 0 ? { verificationKeys: verifyWith } : {}),
          format: 'binary',
          config,
        });
        const signature = await summarize(result.signatures, verifyWith);
        return { data: Buffer.from(result.data), ...(signature ? { signature } : {}) };
      } catch (err) {
        if (/decompress/i.test(asError(err).message)) {
          throw intakeError('too-large', `${what} decompresses to more than ${inputs.maxDecryptedBytes} bytes`, err);
        }
        throw intakeError(
          'undecryptable',
          `${what} could not be decrypted with the instance key: it is damaged or uses an unsupported algorithm`,
          err,
        );
      }
    },

    async verifyDetached(content, signature) {
      const openpgp = await openpgpModule();
      const keys = await publicKeys();
      try {
        const sig = isArmored(signature)
          ? await openpgp.readSignature({ armoredSignature: signature.toString('latin1') })
          : await openpgp.readSignature({ binarySignature: new Uint8Array(signature) });
        const message = await openpgp.createMessage({ binary: new Uint8Array(content) });
        const result = await openpgp.verify({ message, signature: sig, verificationKeys: keys, format: 'binary' });
        const summary = await summarize(result.signatures, keys);
        if (summary) return summary;
      } catch {
        // an unreadable signature is reported below, it does not refuse the mail
      }
      return { keyId: '', verified: false, problem: 'the signature part could not be read' };
    },

    async verifyCleartext(armored) {
      const openpgp = await openpgpModule();
      const keys = await publicKeys();
      try {
        const message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
        const result = await openpgp.verify({ message, verificationKeys: keys });
        const signature = (await summarize(result.signatures, keys)) ?? {
          keyId: '',
          verified: false,
          problem: 'the signed block carries no signature',
        };
        return { text: message.getText(), signature };
      } catch {
        return null; // not a well-formed signed block: the text is left as it was
      }
    },
  };
}
