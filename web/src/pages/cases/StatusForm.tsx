import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  casesApi,
  type Participant,
  type StatusMatrix,
  type VendorStatus,
  vendorStatuses,
  vexJustifications,
} from '../../casesApi.ts';
import { FormCard } from '../../components/FormCard.tsx';
import { PCheck, PInput, PSelect, PTextArea } from '../../components/problems.tsx';
import { useAction, useForm } from '../../hooks.ts';

export interface StatusDraft {
  participantId: string;
  vulnerabilityId: string;
  product: string;
  status: VendorStatus;
  justification: string;
  statement: string;
  fixedVersions: string;
  /** A vers range, e.g. vers:npm/>=1.0.0|<1.4.2 (empty: none). */
  affectedRange: string;
  /** One address per line. */
  references: string;
  vendorTrackingId: string;
  mayShare: boolean;
}

export const emptyStatus: StatusDraft = {
  participantId: '',
  vulnerabilityId: '',
  product: '',
  status: 'under_investigation',
  justification: '',
  statement: '',
  fixedVersions: '',
  affectedRange: '',
  references: '',
  vendorTrackingId: '',
  mayShare: false,
};

const optional = (s: string) => s.trim() || undefined;

/** The vendor's products from the vendor directory, as suggestions (none when it may not be read). */
function useProducts(orgId: string | null): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    setNames([]);
    if (!orgId) return;
    casesApi.directoryProducts(orgId).then(
      (entry) => live && setNames(entry.products.map((p) => p.name)),
      () => live && setNames([]),
    );
    return () => {
      live = false;
    };
  }, [orgId]);
  return names;
}

/**
 * A vendor states, per vulnerability and product: under investigation, affected (with what to
 * do), not affected (with an OpenVEX justification or an impact statement) or fixed (in which
 * versions). The lead may record it for a vendor that answered elsewhere.
 */
export function StatusForm({
  caseId,
  vendors,
  vulnerabilities,
  initial,
  onSaved,
}: {
  caseId: string;
  vendors: Participant[];
  vulnerabilities: StatusMatrix['vulnerabilities'];
  initial?: StatusDraft | undefined;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const { form, set, bind } = useForm<StatusDraft>(
    () =>
      initial ?? {
        ...emptyStatus,
        participantId: vendors.find((v) => v.mine)?.id ?? vendors[0]?.id ?? '',
        vulnerabilityId: vulnerabilities[0]?.id ?? '',
      },
  );
  const [notice, setNotice] = useState<string | null>(null);
  const products = useProducts(vendors.find((v) => v.id === form.participantId)?.orgId ?? null);
  const save = useAction(async () => {
    setNotice(null);
    const references = form.references
      .split('\n')
      .map((r) => r.trim())
      .filter(Boolean);
    await casesApi.setStatus(caseId, {
      participantId: form.participantId,
      vulnerabilityId: form.vulnerabilityId,
      product: form.product.trim(),
      status: form.status,
      justification: form.status === 'not_affected' ? optional(form.justification) : undefined,
      statement: optional(form.statement),
      fixedVersions: form.status === 'fixed' ? optional(form.fixedVersions) : undefined,
      affectedRange: form.status === 'not_affected' ? null : (optional(form.affectedRange) ?? null),
      ...(references.length ? { references } : {}),
      vendorTrackingId: optional(form.vendorTrackingId),
      mayShare: form.mayShare,
    });
    setNotice(t('cases.status.saved', { product: form.product.trim() }));
    onSaved();
  });
  const statementLabel =
    form.status === 'affected'
      ? t('cases.status.actionStatement')
      : form.status === 'not_affected'
        ? t('cases.status.impactStatement')
        : t('cases.status.statement');

  return (
    <FormCard
      id="status"
      title={vendors.some((v) => v.mine) ? t('cases.status.title') : t('cases.status.titleLead')}
      intro={t('cases.status.intro')}
      open
      notice={notice}
      action={save}
      submit={t('cases.status.submit')}
    >
      <div className="grid-3">
        {vendors.length > 1 && (
          <PSelect path="participantId" label={t('cases.matrix.vendor')} {...bind.text('participantId')}>
            {vendors.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </PSelect>
        )}
        <PSelect path="vulnerabilityId" label={t('cases.status.vulnerability')} {...bind.text('vulnerabilityId')}>
          {vulnerabilities.map((u) => (
            <option key={u.id} value={u.id}>
              {u.cveId ? `${u.cveId} · ${u.title}` : u.title}
            </option>
          ))}
        </PSelect>
        <PInput
          path="product"
          label={t('cases.status.product')}
          hint={products.length ? t('cases.status.productHint') : undefined}
          required
          maxLength={300}
          list="status-products"
          autoComplete="off"
          {...bind.text('product')}
        />
        <datalist id="status-products">
          {products.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
        <PSelect
          path="status"
          label={t('cases.status.status')}
          value={form.status}
          onChange={(e) => set('status', e.target.value as VendorStatus)}
        >
          {vendorStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`cases.vendorStatus.${s}`)}
            </option>
          ))}
        </PSelect>
        {form.status === 'not_affected' && (
          <PSelect
            path="justification"
            label={t('cases.status.justification')}
            hint={t('cases.status.justificationHint')}
            {...bind.text('justification')}
          >
            <option value="">{t('cases.status.noJustification')}</option>
            {vexJustifications.map((j) => (
              <option key={j} value={j}>
                {t(`cases.justification.${j}`)}
              </option>
            ))}
          </PSelect>
        )}
        {form.status === 'fixed' && (
          <PInput
            path="fixedVersions"
            label={t('cases.status.fixedVersions')}
            required
            {...bind.text('fixedVersions')}
          />
        )}
        {form.status !== 'not_affected' && (
          <PInput
            path="affectedRange"
            label={t('cases.status.affectedRange')}
            hint={t('cases.status.affectedRangeHint')}
            spellCheck={false}
            {...bind.text('affectedRange')}
          />
        )}
      </div>
      <PTextArea path="statement" label={statementLabel} rows={3} {...bind.text('statement')} />
      <div className="grid-2">
        <PTextArea
          path="references"
          nested
          label={t('cases.status.references')}
          hint={t('cases.status.referencesHint')}
          rows={2}
          spellCheck={false}
          {...bind.text('references')}
        />
        <PInput
          path="vendorTrackingId"
          label={t('cases.status.trackingId')}
          hint={t('cases.status.trackingIdHint')}
          {...bind.text('vendorTrackingId')}
        />
      </div>
      <PCheck
        path="mayShare"
        label={t('cases.status.mayShare')}
        hint={t('cases.status.mayShareHint')}
        {...bind.check('mayShare')}
      />
    </FormCard>
  );
}
