import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatSize, type PickedFile, pickFiles, typeAllowed } from '../files.ts';
import { useReportSettings } from '../reportSettings.ts';
import { fieldId, useFieldProblems } from './problems.tsx';

/**
 * Attachments read in the browser (base64, so they can travel inside the JSON body or an
 * encrypted message). Size, count and type are checked here against the instance's settings;
 * the server checks again and names the file.
 */
export function FilePicker({
  path,
  files,
  onChange,
}: {
  path: string;
  files: PickedFile[];
  onChange: (files: PickedFile[]) => void;
}) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [local, setLocal] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const server = useFieldProblems(path, true);
  const id = fieldId(path);
  const { settings } = useReportSettings();
  const messages = [...(local ? [local] : []), ...server];
  const limit = settings ? formatSize(settings.attachmentMaxBytes, i18n.language) : '';

  /** The first reason to refuse the chosen files here; without the settings, the server judges alone. */
  const refusal = (incoming: File[]): string | null => {
    if (!settings) return null;
    const tooBig = incoming.find((f) => f.size > settings.attachmentMaxBytes);
    if (tooBig) return t('files.tooBig', { name: tooBig.name, limit });
    const badType = incoming.find((f) => !typeAllowed(f.type || 'application/octet-stream', settings.attachmentTypes));
    if (badType) {
      return t('files.badType', { name: badType.name, type: badType.type || 'application/octet-stream' });
    }
    if (files.length + incoming.length > settings.attachmentMaxCount) {
      return t('files.tooMany', { count: settings.attachmentMaxCount });
    }
    return null;
  };

  const add = async (list: FileList | null) => {
    setLocal(null);
    const incoming = Array.from(list ?? []);
    const refused = refusal(incoming);
    if (refused) {
      setLocal(refused);
    } else if (incoming.length > 0) {
      setReading(true);
      try {
        onChange([...files, ...(await pickFiles(list))]);
      } catch {
        setLocal(t('files.unreadable'));
      } finally {
        setReading(false);
      }
    }
    if (input.current) input.current.value = '';
  };

  if (settings?.attachmentMaxCount === 0) {
    return <p className="muted">{t('files.notAccepted')}</p>;
  }
  return (
    <div className="field">
      <label htmlFor={id}>{t('files.label')}</label>
      <input
        ref={input}
        id={id}
        type="file"
        multiple
        onChange={(e) => void add(e.target.files)}
        aria-invalid={messages.length ? true : undefined}
        aria-describedby={
          [settings ? `${id}-hint` : '', messages.length ? `${id}-error` : ''].join(' ').trim() || undefined
        }
        aria-busy={reading}
      />
      {settings && (
        <p className="hint" id={`${id}-hint`}>
          {t('files.hint', {
            count: settings.attachmentMaxCount,
            limit,
            types: settings.attachmentTypes.join(', '),
          })}
        </p>
      )}
      {messages.length > 0 && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {messages.join(' · ')}
        </p>
      )}
      {files.length > 0 && (
        <ul className="file-list" aria-label={t('files.chosen')}>
          {files.map((f, i) => (
            <li key={`${f.filename}-${i}`}>
              <span className="file-name">{f.filename}</span>
              <span className="muted small">
                {formatSize(f.size, i18n.language)} · {f.contentType}
              </span>
              <button
                type="button"
                className="btn btn-small btn-ghost"
                onClick={() => onChange(files.filter((_, j) => j !== i))}
                aria-label={t('files.removeNamed', { name: f.filename })}
              >
                {t('files.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The form's files without the local size field, as the API takes them. */
export function toAttachments(files: PickedFile[]) {
  return files.map(({ filename, contentType, contentBase64 }) => ({ filename, contentType, contentBase64 }));
}
