import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormCard } from '../../components/FormCard.tsx';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { Loaded } from '../../components/lists.tsx';
import { PInput } from '../../components/problems.tsx';
import { useAction, useForm, useResource, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { ContactsSection } from './ContactsSection.tsx';
import { type DirectoryEntry, directoryApi, fieldErrors } from './directoryApi.ts';
import { VerifiedBadge, splitList } from './parts.tsx';
import { ProductsSection } from './ProductsSection.tsx';
import { RelationsSection } from './RelationsSection.tsx';

/** What every section of the entry page gets: the entry as loaded, a way to replace it and a reload. */
export interface EntryProps {
  entry: DirectoryEntry;
  reload: () => Promise<void>;
}

/**
 * One organization's directory entry: its profile, security contacts (with OpenPGP keys),
 * products, supplier relations and communities. The vendor's admins edit their own entry (new
 * contacts then wait for staff approval); staff edit any, approve contacts and vouch for it.
 */
export function EntryPage({ orgId }: { orgId: string }) {
  const { t } = useTranslation();
  const { data, setData, error, reload } = useResource(() => directoryApi.get(orgId), orgId);
  useTitle(data?.name ?? t('directory.title'));
  return (
    <Loaded back={{ to: '/directory', label: t('directory.title') }} data={data} error={error}>
      {(entry) => (
        <>
          <h1>
            {entry.name} <VerifiedBadge verified={entry.verified} />
          </h1>
          <ErrorAlert error={error} />
          <ProfileFacts entry={entry} />
          {entry.abilities.manage && <VerifyControl entry={entry} onChanged={setData} />}
          {entry.abilities.edit && <ProfileForm key={entry.id} entry={entry} onSaved={setData} />}
          <ContactsSection entry={entry} reload={reload} />
          <ProductsSection entry={entry} reload={reload} />
          <RelationsSection entry={entry} reload={reload} />
        </>
      )}
    </Loaded>
  );
}

function ProfileFacts({ entry }: { entry: DirectoryEntry }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">{t('directory.profile')}</h2>
      <dl className="facts">
        <dt>{t('orgs.kind')}</dt>
        <dd>{t(`orgKinds.${entry.kind}`, { defaultValue: entry.kind })}</dd>
        <dt>{t('orgs.website')}</dt>
        <dd>{entry.website ?? '—'}</dd>
        <dt>{t('directory.languages')}</dt>
        <dd>{entry.languages.length ? entry.languages.join(', ') : '—'}</dd>
        <dt>{t('fields.timeZone')}</dt>
        <dd>{entry.timeZone ?? '—'}</dd>
        <dt>{t('directory.country')}</dt>
        <dd>{entry.country ?? '—'}</dd>
        <dt>{t('directory.communities.title')}</dt>
        <dd>{entry.communities.length ? entry.communities.map((c) => c.name).join(', ') : '—'}</dd>
      </dl>
      <p>
        <Link to={`/orgs/${encodeURIComponent(entry.id)}`}>{t('directory.membersLink')}</Link>
      </p>
    </section>
  );
}

/** Staff vouch for an organization once they checked who is behind it (and may take it back). */
function VerifyControl({ entry, onChanged }: { entry: DirectoryEntry; onChanged: (e: DirectoryEntry) => void }) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState<string | null>(null);
  const toggle = useAction(async () => {
    setNotice(null);
    const next = await directoryApi.setVerified(entry.id, !entry.verified);
    onChanged(next);
    setNotice(next.verified ? t('directory.verify.done', { name: next.name }) : t('directory.verify.undone'));
  });
  return (
    <section className="card" aria-labelledby="verify-heading">
      <h2 id="verify-heading">{t('directory.verify.title')}</h2>
      <p className="hint">{t('directory.verify.hint')}</p>
      <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
      <ErrorAlert error={toggle.error} />
      <div className="actions">
        <button
          type="button"
          className={entry.verified ? 'btn' : 'btn btn-primary'}
          disabled={toggle.busy}
          aria-busy={toggle.busy}
          onClick={() => void toggle.run()}
        >
          {entry.verified ? t('directory.verify.unmark') : t('directory.verify.mark')}
        </button>
      </div>
    </section>
  );
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
}

/** Languages, time zone and country: the vendor's admins and staff. */
function ProfileForm({ entry, onSaved }: { entry: DirectoryEntry; onSaved: (e: DirectoryEntry) => void }) {
  const { t } = useTranslation();
  const zones = useMemo(timeZones, []);
  const { form, bind } = useForm({
    languages: entry.languages.join(', '),
    timeZone: entry.timeZone ?? '',
    country: entry.country ?? '',
  });
  const [notice, setNotice] = useState<string | null>(null);
  const save = useAction(async () => {
    setNotice(null);
    const next = await fieldErrors(
      directoryApi.updateProfile(entry.id, {
        languages: splitList(form.languages),
        timeZone: form.timeZone.trim() || null,
        country: form.country.trim() || null,
      }),
    );
    onSaved(next);
    setNotice(t('directory.profileSaved'));
  });
  return (
    <FormCard
      id="profile"
      title={t('directory.editProfile')}
      intro={t('directory.editProfileIntro')}
      notice={notice}
      action={save}
      submit={t('common.save')}
    >
      <div className="grid-3">
        <PInput
          path="languages"
          nested
          label={t('directory.languages')}
          hint={t('directory.languagesHint')}
          autoComplete="off"
          {...bind.text('languages')}
        />
        <PInput
          path="timeZone"
          label={t('fields.timeZone')}
          hint={t('directory.timeZoneHint')}
          list="directory-time-zones"
          autoComplete="off"
          {...bind.text('timeZone')}
        />
        <datalist id="directory-time-zones">
          {zones.map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <PInput
          path="country"
          label={t('directory.country')}
          hint={t('directory.countryHint')}
          maxLength={2}
          autoComplete="off"
          {...bind.text('country')}
        />
      </div>
    </FormCard>
  );
}
