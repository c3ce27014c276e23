/**
 * security.txt (RFC 9116), pure: fields in the RFC's order, an Expires under a year ahead
 * (the RFC recommends less than a year), every URI absolute.
 */
export interface SecurityTxtInput {
  baseUrl: string;
  contacts: readonly string[];
  preferredLanguages: readonly string[];
  /** Whether the CSAF provider metadata is published. */
  csaf: boolean;
  now: Date;
}

export const SECURITY_TXT_VALID_DAYS = 180;

export function securityTxt(input: SecurityTxtInput): string {
  const expires = new Date(input.now.getTime() + SECURITY_TXT_VALID_DAYS * 86400_000);
  expires.setUTCHours(0, 0, 0, 0);
  const lines = [
    '# Security contact for this organization (RFC 9116). Report vulnerabilities through a Contact below.',
    ...input.contacts.map((c) => `Contact: ${c}`),
    `Expires: ${expires.toISOString().replace('.000Z', 'Z')}`,
    `Encryption: ${input.baseUrl}/.well-known/openpgp-key.asc`,
    `Acknowledgments: ${input.baseUrl}/acknowledgements`,
    `Preferred-Languages: ${input.preferredLanguages.join(', ')}`,
    `Canonical: ${input.baseUrl}/.well-known/security.txt`,
    `Policy: ${input.baseUrl}/policy`,
  ];
  if (input.csaf) lines.push(`CSAF: ${input.baseUrl}/.well-known/csaf/provider-metadata.json`);
  return `${lines.join('\n')}\n`;
}

export const DEFAULT_POLICY = `# Vulnerability disclosure policy

We welcome reports of security vulnerabilities in our products and services, and we work with
finders to fix them and to tell users.

## How to report

- Use the [report form](/report) (it can encrypt your report in your browser), the API
  (\`POST /api/v1/reports\`), or e-mail us at the address in our
  [security.txt](/.well-known/security.txt). Encrypt sensitive details to our
  [OpenPGP key](/.well-known/openpgp-key.asc).
- You get a tracking id and a private follow-up link at once. Keep the link: it is how you read
  our questions and answer them.

## What we promise

- We acknowledge your report within the number of business days stated in the acknowledgement.
- We keep you informed while we validate and fix the issue, and we agree the disclosure date with
  you and with any other vendors involved (coordinated disclosure).
- We credit you in our advisory as you choose: by name, by handle, or not at all.
- We will not take legal action against good-faith research that follows this policy.

## What we ask

- Give us reasonable time to fix the issue before you publish.
- Do not access, change or delete data that is not yours, and do not degrade our services.
`;
