import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { FormCard } from '../../components/FormCard.tsx';
import { ErrorAlert } from '../../components/forms.tsx';
import { Crumb } from '../../components/lists.tsx';
import { PInput, PTextArea } from '../../components/problems.tsx';
import { useAction, useForm, useResource, useTitle } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { type Community, type DirectoryItem, directoryApi, fieldErrors } from './directoryApi.ts';
import { OrgChecklist } from './OrgChecklist.tsx';

/**
 * Trusted communities: named groups of organizations with their own terms, invited to a case
 * together. Staff see them; coordinators and admins create and change them.
 */
export function CommunitiesPage() {
  const { t } = useTranslation();
  useTitle(t('directory.communities.title'));
  const { can } = useSession();
  const manage = can('org:create');
  const communities = useResource(() => directoryApi.communities(), 'communities');
  const orgs = useResource(
    () => (manage ? directoryApi.listAll() : Promise.resolve({ items: [] as DirectoryItem[] })),
    manage ? 'all' : 'none',
  );
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Community | null>(null);
  const remove = useAction(async (c: Community) => {
    setNotice(null);
    await directoryApi.deleteCommunity(c.id);
    setDeleting(null);
    setNotice(t('directory.communities.deleted', { name: c.name }));
    await communities.reload();
  });
  const items = communities.data?.items ?? [];
  const orgList = orgs.data?.items ?? [];

  return (
    <>
      <Crumb to="/directory" label={t('directory.title')} />
      <h1>{t('directory.communities.title')}</h1>
      <p className="lead">{t('directory.communities.intro')}</p>
      <ErrorAlert error={communities.error ?? orgs.error} />
      {manage && (
        <CommunityForm
          key={`new-${items.length}`}
          orgs={orgList}
          onSaved={async (name) => {
            setNotice(t('directory.communities.created', { name }));
            await communities.reload();
          }}
        />
      )}
      <div aria-live="polite">{notice && <p className="alert alert-ok">{notice}</p>}</div>
      {communities.data && items.length === 0 && <p className="muted">{t('directory.communities.none')}</p>}
      {items.map((c) => (
        <section key={c.id} className="card" aria-labelledby={`community-${c.id}-heading`} data-testid="community">
          <h2 id={`community-${c.id}-heading`}>{c.name}</h2>
          <h3>{t('directory.communities.members', { count: c.members.length })}</h3>
          {c.members.length === 0 ? (
            <p className="muted">{t('directory.communities.noMembers')}</p>
          ) : (
            <ul className="link-grid">
              {c.members.map((m) => (
                <li key={m.id}>
                  {manage ? <Link to={`/directory/${encodeURIComponent(m.id)}`}>{m.name}</Link> : m.name}
                </li>
              ))}
            </ul>
          )}
          <h3>{t('directory.communities.terms')}</h3>
          {c.termsText ? (
            <p className="pre-text">{c.termsText}</p>
          ) : (
            <p className="muted">{t('directory.communities.noTerms')}</p>
          )}
          {manage && (
            <CommunityForm
              community={c}
              orgs={orgList}
              onSaved={async (name) => {
                setNotice(t('directory.communities.saved', { name }));
                await communities.reload();
              }}
            />
          )}
          {manage && (
            <div className="actions">
              <button
                type="button"
                className="btn btn-danger"
                aria-label={t('directory.communities.deleteNamed', { name: c.name })}
                onClick={() => setDeleting(c)}
              >
                {t('directory.communities.delete')}
              </button>
            </div>
          )}
        </section>
      ))}
      <ConfirmDialog
        open={deleting !== null}
        title={t('directory.communities.deleteNamed', { name: deleting?.name ?? '' })}
        confirmLabel={t('directory.communities.delete')}
        danger
        busy={remove.busy}
        onConfirm={() => deleting && void remove.run(deleting)}
        onCancel={() => {
          setDeleting(null);
          remove.setError(null);
        }}
      >
        <p>{t('directory.communities.deleteWarning')}</p>
        <ErrorAlert error={remove.error} />
      </ConfirmDialog>
    </>
  );
}

/** Creates a community, or (given one) renames it, changes its terms and replaces its members. */
function CommunityForm({
  community,
  orgs,
  onSaved,
}: {
  community?: Community;
  orgs: DirectoryItem[];
  onSaved: (name: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const { form, set, bind } = useForm({
    name: community?.name ?? '',
    termsText: community?.termsText ?? '',
    orgIds: community?.members.map((m) => m.id) ?? [],
  });
  const save = useAction(async () => {
    const body = { name: form.name.trim(), termsText: form.termsText.trim(), orgIds: form.orgIds };
    const saved = community
      ? await fieldErrors(directoryApi.updateCommunity(community.id, body))
      : await fieldErrors(directoryApi.createCommunity(body));
    await onSaved(saved.name);
  });
  return (
    <FormCard
      id={community ? `community-${community.id}` : 'community-new'}
      title={community ? t('directory.communities.edit', { name: community.name }) : t('directory.communities.create')}
      intro={community ? undefined : t('directory.communities.createIntro')}
      action={save}
      submit={community ? t('common.save') : t('directory.communities.createSubmit')}
    >
      <PInput
        path="name"
        label={t('directory.communities.name')}
        required
        minLength={2}
        maxLength={200}
        autoComplete="off"
        {...bind.text('name')}
      />
      <PTextArea
        path="termsText"
        label={t('directory.communities.terms')}
        hint={t('directory.communities.termsHint')}
        rows={4}
        {...bind.text('termsText')}
      />
      <OrgChecklist
        path="orgIds"
        legend={t('directory.communities.membersLegend')}
        orgs={orgs}
        chosen={form.orgIds}
        onChange={(ids) => set('orgIds', ids)}
      />
    </FormCard>
  );
}
