import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIntakeMail } from './mail.ts';

/** Most finders encrypt with GnuPG (2.2 on Debian 12): mail it made must open. Skipped where gpg is missing. */
const hasGpg = spawnSync('gpg', ['--version']).status === 0;
const CRLF = '\r\n';

describe.skipIf(!hasGpg)('mail made by GnuPG', () => {
  let home: string;
  let instanceKey: openpgp.PrivateKey;
  let finderPublic: string;
  const gpg = (args: string[], input?: string) =>
    execFileSync(
      'gpg',
      [
        '--homedir',
        home,
        '--batch',
        '--yes',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--trust-model',
        'always',
      ].concat(args),
      { input, stdio: ['pipe', 'pipe', 'ignore'] },
    ).toString();

  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'accord-gpg-'));
    ({ privateKey: instanceKey } = await openpgp.generateKey({
      type: 'ecc',
      curve: 'curve25519Legacy',
      userIDs: [{ email: 'security@example.org' }],
      format: 'object',
    }));
    gpg(['--import'], instanceKey.toPublic().armor());
    gpg(['--quick-gen-key', 'finder@example.net', 'future-default', 'default', 'never']);
    finderPublic = gpg(['--armor', '--export', 'finder@example.net']);
  });
  afterAll(() => {
    spawnSync('gpgconf', ['--homedir', home, '--kill', 'gpg-agent']);
    rmSync(home, { recursive: true, force: true });
  });

  const opts = () => ({
    decryptionKeys: [instanceKey],
    verificationKeys: [finderPublic],
    maxAttachmentBytes: 1024,
    maxAttachments: 2,
  });

  it('opens a PGP/MIME mail encrypted and signed with gpg', async () => {
    const inner = [
      'Content-Type: multipart/mixed; boundary="m"',
      '',
      '--m',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'gpg says hello',
      '--m',
      'Content-Type: application/octet-stream; name="a.bin"',
      'Content-Disposition: attachment; filename="a.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('binary!').toString('base64'),
      '--m--',
      '',
    ].join(CRLF);
    const armored = gpg(
      ['--armor', '--encrypt', '--sign', '-u', 'finder@example.net', '-r', 'security@example.org'],
      inner,
    );
    const raw = [
      'From: finder@example.net',
      'Subject: gpg',
      'MIME-Version: 1.0',
      'Content-Type: multipart/encrypted; protocol="application/pgp-encrypted"; boundary="e"',
      '',
      '--e',
      'Content-Type: application/pgp-encrypted',
      '',
      'Version: 1',
      '',
      '--e',
      'Content-Type: application/octet-stream',
      '',
      armored,
      '--e--',
    ].join(CRLF);
    const mail = await parseIntakeMail(Buffer.from(raw), opts());
    expect(mail).toMatchObject({ encryption: 'pgp-mime', text: 'gpg says hello', signature: { verified: true } });
    expect(mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([['a.bin', 'binary!']]);
  });

  it('checks a multipart/signed mail signed with gpg --textmode, as mail clients do', async () => {
    const part = `Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}signed by gpg${CRLF}`;
    const signature = gpg(['--armor', '--detach-sign', '--textmode', '-u', 'finder@example.net'], part);
    const raw = [
      'From: finder@example.net',
      'Subject: signed',
      'Content-Type: multipart/signed; micalg=pgp-sha256; protocol="application/pgp-signature"; boundary="s"',
      '',
      '--s',
      part,
      '--s',
      'Content-Type: application/pgp-signature',
      '',
      signature,
      '--s--',
    ].join(CRLF);
    const mail = await parseIntakeMail(Buffer.from(raw), opts());
    expect(mail).toMatchObject({ encryption: 'none', text: 'signed by gpg\n', signature: { verified: true } });
  });
});
