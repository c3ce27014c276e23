import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormCard } from '../../components/FormCard.tsx';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { PInput, PSelect } from '../../components/problems.tsx';
import { useAction, useForm, useResource } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { directoryApi, fieldErrors, type Related } from './directoryApi.ts';
import type { EntryProps } from './EntryPage.tsx';

type Side = 'upstream' | 'downstream';

/**
 * Supplier relations: the organizations whose components this one ships (upstream) and those
 * that ship this one's (downstream). Staff record and remove them.
 */
export function RelationsSection({ entry, reload }: EntryProps) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState<string | null>(null);
  const manage = entry.abilities.manage;
  const remove = useAction(async (side: Side, other: Related) => {
    setNotice(null);
    if (side === 'upstream') await directoryApi.removeRelation(other.id, entry.id);
    else await directoryApi.removeRelation(entry.id, other.id);
    setNotice(t('directory.relations.removed', { name: other.name }));
    await reload();
  });

  const list = (side: Side, items: Related[]) => (
    <div>
      <h3 id={`relations-${side}`}>{t(`directory.relations.${side}`)}</h3>
      {items.length === 0 ? (
        <p className="muted">{t('directory.relations.none')}</p>
      ) : (
        <ul className="plain-list" aria-labelledby={`relations-${side}`}>
          {items.map((o) => (
            <li key={o.id} className="row-between">
              <span>
                {manage ? <Link to={`/directory/${encodeURIComponent(o.id)}`}>{o.name}</Link> : o.name}
                {o.note && <span className="muted small"> · {o.note}</span>}
              </span>
              {manage && (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={remove.busy}
                  aria-label={t('directory.relations.removeNamed', { name: o.name })}
                  onClick={() => void remove.run(side, o)}
                >
                  {t('directory.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );

  return (
    <>
      <section className="card" aria-labelledby="relations-heading">
        <h2 id="relations-heading">{t('directory.relations.title')}</h2>
        <p className="hint">{t('directory.relations.hint')}</p>
        <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
        <ErrorAlert error={remove.error} />
        <div className="grid-2">
          {list('upstream', entry.upstream)}
          {list('downstream', entry.downstream)}
        </div>
      </section>
      {manage && <AddRelationForm entry={entry} reload={reload} />}
    </>
  );
}

function AddRelationForm({ entry, reload }: EntryProps) {
  const { t } = useTranslation();
  const orgs = useResource(() => directoryApi.listAll(), 'all');
  const { form, set, bind } = useForm({ side: 'upstream' as Side, otherId: '', note: '' });
  const [notice, setNotice] = useState<string | null>(null);
  const others = (orgs.data?.items ?? []).filter((o) => o.id !== entry.id);
  // The server names the field by its side of the relation: the other organization's select.
  const otherPath = form.side === 'upstream' ? 'upstreamOrgId' : 'downstreamOrgId';
  const add = useAction(async () => {
    setNotice(null);
    const other = others.find((o) => o.id === form.otherId);
    await fieldErrors(
      directoryApi.addRelation({
        upstreamOrgId: form.side === 'upstream' ? form.otherId : entry.id,
        downstreamOrgId: form.side === 'upstream' ? entry.id : form.otherId,
        ...(form.note.trim() ? { note: form.note.trim() } : {}),
      }),
    );
    setNotice(t('directory.relations.added', { name: other?.name ?? form.otherId }));
    set('otherId', '');
    set('note', '');
    await reload();
  });
  return (
    <FormCard
      id="relation"
      title={t('directory.relations.add')}
      notice={notice}
      action={add}
      submit={t('directory.relations.addSubmit')}
    >
      <ErrorAlert error={orgs.error} />
      <div className="grid-3">
        <PSelect
          path="side"
          label={t('directory.relations.side')}
          value={form.side}
          onChange={(e) => set('side', e.target.value as Side)}
        >
          <option value="upstream">{t('directory.relations.sideUpstream', { name: entry.name })}</option>
          <option value="downstream">{t('directory.relations.sideDownstream', { name: entry.name })}</option>
        </PSelect>
        <PSelect path={otherPath} label={t('directory.relations.other')} required {...bind.text('otherId')}>
          <option value="">{t('cases.participants.chooseOrg')}</option>
          {others.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </PSelect>
        <PInput path="note" label={t('directory.relations.note')} maxLength={500} {...bind.text('note')} />
      </div>
    </FormCard>
  );
}
