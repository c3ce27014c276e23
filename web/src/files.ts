import type { AttachmentInput } from './reportsApi.ts';

export interface PickedFile extends AttachmentInput {
  size: number;
}

/** Reads a File as base64 (no data: prefix), in chunks so large files do not overflow the stack. */
export async function readAsBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export async function pickFiles(list: FileList | null): Promise<PickedFile[]> {
  const files = Array.from(list ?? []);
  return Promise.all(
    files.map(async (f) => ({
      filename: f.name,
      contentType: f.type || 'application/octet-stream',
      size: f.size,
      contentBase64: await readAsBase64(f),
    })),
  );
}

/** "1.2 MB" in the UI language. */
export function formatSize(bytes: number, lang: string): string {
  const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  try {
    return new Intl.NumberFormat(lang, {
      style: 'unit',
      unit: units[unit],
      unitDisplay: 'short',
      maximumFractionDigits: unit === 0 ? 0 : 1,
    }).format(value);
  } catch {
    return `${bytes} B`;
  }
}

/** Whether the server accepts this media type (`text/*` covers every text type), as it checks it. */
export function typeAllowed(contentType: string, types: readonly string[]): boolean {
  const t = contentType.toLowerCase();
  return types.some((allowed) => (allowed.endsWith('/*') ? t.startsWith(allowed.slice(0, -1)) : t === allowed));
}
