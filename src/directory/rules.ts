import { validateProductIdentifier } from '../identifiers/index.ts';
import type { FieldProblem } from '../reports/rules.ts';

/** The vendor directory, pure: what a profile, a contact and a product may hold. */

export const contactRoles = ['security', 'psirt', 'technical', 'management', 'legal', 'other'] as const;
export type ContactRole = (typeof contactRoles)[number];

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface ProfileInput {
  languages?: string[] | undefined;
  timeZone?: string | null | undefined;
  country?: string | null | undefined;
}

export function checkProfile(input: ProfileInput, problems: FieldProblem[], prefix = '') {
  const languages = (input.languages ?? []).map((l) => l.trim().toLowerCase()).filter(Boolean);
  languages.forEach((l, i) => {
    if (!/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(l)) {
      problems.push({ field: `${prefix}languages[${i}]`, message: `"${l}" is not a language tag such as en or pt-br` });
    }
  });
  let timeZone: string | null = input.timeZone?.trim() || null;
  if (timeZone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      problems.push({
        field: `${prefix}timeZone`,
        message: `"${timeZone}" is not an IANA time zone such as Europe/Berlin`,
      });
      timeZone = null;
    }
  }
  const country = input.country?.trim().toUpperCase() || null;
  if (country && !/^[A-Z]{2}$/.test(country)) {
    problems.push({ field: `${prefix}country`, message: 'use the two-letter ISO 3166 country code, such as JP' });
  }
  return { languages: [...new Set(languages)], timeZone, country };
}

export interface ContactInput {
  email: string;
  role?: string | undefined;
  name?: string | undefined;
  phone?: string | undefined;
  pgpPublicKey?: string | undefined;
}

export function checkContact(input: ContactInput, problems: FieldProblem[], prefix = '') {
  const email = input.email.trim();
  if (!EMAIL.test(email) || email.length > 254)
    problems.push({ field: `${prefix}email`, message: `"${email.slice(0, 60)}" is not an e-mail address` });
  const role = (input.role?.trim() || 'security') as ContactRole;
  if (!contactRoles.includes(role))
    problems.push({ field: `${prefix}role`, message: `use one of ${contactRoles.join(', ')}` });
  const name = input.name?.trim() || null;
  if (name && name.length > 200) problems.push({ field: `${prefix}name`, message: 'at most 200 characters' });
  const phone = input.phone?.trim() || null;
  if (phone && !/^\+?[0-9 ()./-]{5,30}$/.test(phone)) {
    problems.push({
      field: `${prefix}phone`,
      message: 'use digits, spaces and + ( ) . / - only, e.g. +81 3 1234 5678',
    });
  }
  return { email, role, name, phone, pgpPublicKey: input.pgpPublicKey?.trim() || null };
}

export interface ProductInput {
  name: string;
  identifier?: string | undefined;
  versions?: string | undefined;
}

export function checkProduct(input: ProductInput, problems: FieldProblem[], prefix = '') {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 300)
    problems.push({ field: `${prefix}name`, message: 'the product name must be 1 to 300 characters' });
  let identifier: string | null = null;
  if (input.identifier?.trim()) {
    const checked = validateProductIdentifier(input.identifier);
    if (checked.ok) identifier = checked.normalized;
    else problems.push({ field: `${prefix}identifier`, message: checked.error });
  }
  const versions = (input.versions ?? '').trim();
  if (versions.length > 1000) problems.push({ field: `${prefix}versions`, message: 'at most 1,000 characters' });
  return { name, identifier, versions };
}

/** One organization as the directory imports and exports it (JSON; CSV flattens it to rows). */
export interface DirectoryEntry {
  name: string;
  kind?: string | undefined;
  website?: string | null | undefined;
  country?: string | null | undefined;
  timeZone?: string | null | undefined;
  languages?: string[] | undefined;
  verified?: boolean | undefined;
  contacts?: ContactInput[] | undefined;
  products?: ProductInput[] | undefined;
}

export const CSV_COLUMNS = [
  'organization',
  'kind',
  'website',
  'country',
  'time_zone',
  'languages',
  'contact_email',
  'contact_role',
  'contact_name',
  'contact_phone',
  'product',
  'product_identifier',
  'product_versions',
] as const;

/** CSV rows (one contact and/or product per row; the organization repeats) → entries, by name. */
export function entriesFromCsvRows(rows: Record<string, string>[]): {
  entries: Map<string, { entry: DirectoryEntry; lines: number[] }>;
} {
  const entries = new Map<string, { entry: DirectoryEntry; lines: number[] }>();
  rows.forEach((row, i) => {
    const line = i + 2; // the header is line 1
    const name = (row.organization ?? '').trim();
    const key = name.toLowerCase();
    const slot = entries.get(key) ?? { entry: { name, contacts: [], products: [] }, lines: [] };
    slot.lines.push(line);
    const e = slot.entry;
    e.kind ??= row.kind?.trim() || undefined;
    e.website ??= row.website?.trim() || undefined;
    e.country ??= row.country?.trim() || undefined;
    e.timeZone ??= row.time_zone?.trim() || undefined;
    if (row.languages?.trim() && !e.languages) e.languages = row.languages.split(/[;,\s]+/).filter(Boolean);
    if (row.contact_email?.trim()) {
      e.contacts!.push({
        email: row.contact_email,
        role: row.contact_role || undefined,
        name: row.contact_name || undefined,
        phone: row.contact_phone || undefined,
      });
    }
    if (row.product?.trim()) {
      e.products!.push({
        name: row.product,
        identifier: row.product_identifier || undefined,
        versions: row.product_versions || undefined,
      });
    }
    entries.set(key, slot);
  });
  return { entries };
}
