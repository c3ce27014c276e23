import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { FormCard } from '../../components/FormCard.tsx';
import { ErrorAlert, Notice } from '../../components/forms.tsx';
import { DataTable } from '../../components/lists.tsx';
import { PInput } from '../../components/problems.tsx';
import { useAction, useForm } from '../../hooks.ts';
import { directoryApi, fieldErrors, type Product } from './directoryApi.ts';
import type { EntryProps } from './EntryPage.tsx';

/** The organization's products: name, package URL or CPE, versions; offered in the status matrix. */
export function ProductsSection({ entry, reload }: EntryProps) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Product | null>(null);
  const remove = useAction(async (p: Product) => {
    setNotice(null);
    await directoryApi.removeProduct(entry.id, p.id);
    setRemoving(null);
    setNotice(t('directory.products.removed', { name: p.name }));
    await reload();
  });
  const edit = entry.abilities.edit;
  return (
    <>
      <section className="card" aria-labelledby="products-heading">
        <h2 id="products-heading">{t('directory.products.title')}</h2>
        <div aria-live="polite">{notice && <Notice>{notice}</Notice>}</div>
        {entry.products.length === 0 && <p className="muted">{t('directory.products.none')}</p>}
        <DataTable
          items={entry.products}
          caption={t('directory.products.title')}
          className="table-dense"
          columns={[
            t('directory.products.name'),
            t('directory.products.identifier'),
            t('directory.products.versions'),
            ...(edit ? [t('common.actions')] : []),
          ]}
          row={(p) => (
            <tr key={p.id}>
              <th scope="row">{p.name}</th>
              <td>{p.identifier ? <code className="small">{p.identifier}</code> : '—'}</td>
              <td>{p.versions || '—'}</td>
              {edit && (
                <td>
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={t('directory.products.removeNamed', { name: p.name })}
                    onClick={() => setRemoving(p)}
                  >
                    {t('directory.remove')}
                  </button>
                </td>
              )}
            </tr>
          )}
        />
        <ConfirmDialog
          open={removing !== null}
          title={t('directory.products.removeNamed', { name: removing?.name ?? '' })}
          confirmLabel={t('directory.remove')}
          danger
          busy={remove.busy}
          onConfirm={() => removing && void remove.run(removing)}
          onCancel={() => {
            setRemoving(null);
            remove.setError(null);
          }}
        >
          <p>{t('directory.products.removeWarning')}</p>
          <ErrorAlert error={remove.error} />
        </ConfirmDialog>
      </section>
      {edit && <AddProductForm entry={entry} reload={reload} />}
    </>
  );
}

const emptyProduct = { name: '', identifier: '', versions: '' };

function AddProductForm({ entry, reload }: EntryProps) {
  const { t } = useTranslation();
  const { form, setForm, bind } = useForm(emptyProduct);
  const [notice, setNotice] = useState<string | null>(null);
  const add = useAction(async () => {
    setNotice(null);
    const p = await fieldErrors(
      directoryApi.addProduct(entry.id, {
        name: form.name.trim(),
        ...(form.identifier.trim() ? { identifier: form.identifier.trim() } : {}),
        ...(form.versions.trim() ? { versions: form.versions.trim() } : {}),
      }),
    );
    setNotice(t('directory.products.added', { name: p.name }));
    setForm(emptyProduct);
    await reload();
  });
  return (
    <FormCard
      id="product"
      title={t('directory.products.add')}
      notice={notice}
      action={add}
      submit={t('directory.products.addSubmit')}
    >
      <div className="grid-3">
        <PInput
          path="name"
          label={t('directory.products.name')}
          required
          maxLength={300}
          autoComplete="off"
          {...bind.text('name')}
        />
        <PInput
          path="identifier"
          label={t('directory.products.identifier')}
          hint={t('directory.products.identifierHint')}
          className="mono-input"
          spellCheck={false}
          autoComplete="off"
          {...bind.text('identifier')}
        />
        <PInput
          path="versions"
          label={t('directory.products.versions')}
          hint={t('directory.products.versionsHint')}
          maxLength={1000}
          autoComplete="off"
          {...bind.text('versions')}
        />
      </div>
    </FormCard>
  );
}
