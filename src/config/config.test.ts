import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({}, '/srv/accord');
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/srv/accord/data',
      databaseUrl: null,
      baseUrl: 'http://127.0.0.1:8080',
      secureCookies: false,
      smtp: null,
    });
  });
  it('reads every documented variable', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      ACCORD_DATA_DIR: '/var/lib/accord',
      DATABASE_URL: 'postgres://u:p@db:5432/accord',
      ACCORD_BASE_URL: 'https://cvd.example.org/',
      SMTP_HOST: 'mail',
      SMTP_PORT: '465',
      SMTP_SECURE: 'true',
      SMTP_USER: 'u',
      SMTP_PASSWORD: 'p',
    });
    expect(c).toMatchObject({
      port: 9000,
      dataDir: '/var/lib/accord',
      databaseUrl: 'postgres://u:p@db:5432/accord',
      baseUrl: 'https://cvd.example.org',
      secureCookies: true,
      smtp: { host: 'mail', port: 465, secure: true, user: 'u' },
    });
  });
  it('collects every invalid value into one clear message', () => {
    expect(() =>
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        ACCORD_BASE_URL: 'nope',
        SMTP_SECURE: 'maybe',
        ACCORD_LOG_LEVEL: 'loud',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_CONFIG',
        message: expect.stringMatching(
          /PORT="eighty" is not a whole number[\s\S]*DATABASE_URL must start with postgres:\/\/[\s\S]*ACCORD_BASE_URL="nope" is not a URL[\s\S]*ACCORD_LOG_LEVEL/,
        ),
      }),
    );
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/out of range/);
    expect(() => loadConfig({ SMTP_HOST: 'mail', SMTP_USER: 'u' })).toThrow(/must be set together/);
  });
});

describe('README configuration table', () => {
  it('documents every variable the code reads, with its default', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const rows = new Map(
      readme
        .split('\n')
        .filter((l) => l.startsWith('| `'))
        .map((l) => l.split('|').map((c) => c.trim()))
        .map((cells) => [cells[1]?.replaceAll('`', ''), cells[2]]),
    );
    const { configVariables } = await import('./config.ts');
    for (const [name, fallback] of configVariables) {
      expect(rows.get(name), `README row for ${name}`).toBe(fallback);
    }
  });
});
