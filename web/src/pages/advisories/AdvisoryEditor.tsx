import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type Advisory,
  type AdvisoryAcknowledgement,
  type AdvisoryContent,
  type AdvisoryNote,
  type AdvisoryProduct,
  type AdvisoryReference,
  type AdvisoryTlp,
  type AdvisoryVulnerability,
  advisoriesApi,
  advisoryTlps,
  noteCategories,
  productStatuses,
  publisherCategories,
  remediationCategories,
  threatCategories,
  vexJustifications,
} from '../../advisoriesApi.ts';
import { ApiError, type FieldProblem } from '../../api.ts';
import { SsvcField } from './SsvcField.tsx';
import { CvssCalculator } from '../../components/CvssCalculator.tsx';
import { Notice, Submit } from '../../components/forms.tsx';
import {
  FormErrors,
  PInput,
  PSelect,
  PTextArea,
  ProblemsProvider,
  fieldId,
  focusField,
} from '../../components/problems.tsx';
import { submitting, useAction } from '../../hooks.ts';
import { pathLabel } from './AdvisoryHistory.tsx';
import { ListEditor, ParsedArea } from './parts.tsx';

export const EDITOR_SCOPE = 'adv';

/** The editor's problems as an error the problem components read (one per field path). */
function problemsError(problems: FieldProblem[], message: string): ApiError {
  return new ApiError(422, 'ERR_VALIDATION', message, { problems });
}

const emptyNote = (): AdvisoryNote => ({ category: 'general', title: '', text: '' });
const emptyRef = (): AdvisoryReference => ({ url: '', summary: '', category: 'external' });

/**
 * The advisory's content as a form. Each control's path is the server's field path
 * (`vulnerabilities[0].cvssV3`), so every problem the check or the save names is shown on the
 * control that causes it and listed, with a link to it, at the top. The draft is checked with
 * the server as you work (without saving).
 */
export function AdvisoryEditor({
  advisory,
  draft,
  setDraft,
  onSaved,
}: {
  advisory: Advisory;
  /** The edit in progress: kept by the page, so switching to the preview or history keeps it. */
  draft: Draft;
  setDraft: (fn: (d: Draft) => Draft) => void;
  onSaved: (a: Advisory) => void;
}) {
  const { t } = useTranslation();
  const { content, tlp, revisionSummary } = draft;
  const setTlp = (x: AdvisoryTlp) => setDraft((d) => ({ ...d, tlp: x }));
  const setRevisionSummary = (x: string) => setDraft((d) => ({ ...d, revisionSummary: x }));
  const [checkError, setCheckError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const editable = advisory.abilities['advisory:edit'] === true;
  const dirty = isDirty(advisory, draft);

  const save = useAction(async () => {
    setNotice(null);
    const saved = await advisoriesApi.save(advisory.trackingId, {
      content,
      tlp,
      lockVersion: advisory.lockVersion,
      revisionSummary,
    });
    setCheckError(null);
    setNotice(t('advisories.saved'));
    onSaved(saved);
  });

  const clearSaveError = save.setError;
  // Check the draft once typing settles; the first render shows the saved content's state.
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      advisoriesApi.check(content).then(
        (answer) => {
          if (!live) return;
          // The newest check replaces the problems of the last failed save.
          clearSaveError(null);
          setCheckError(answer.valid ? null : problemsError(answer.problems, t('advisories.checkFailed')));
        },
        () => undefined,
      );
    }, 700);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [content, t, clearSaveError]);

  const error = save.error ?? checkError;
  const edit = (fn: (c: AdvisoryContent) => void) =>
    setDraft((d) => {
      const next = structuredClone(d.content);
      fn(next);
      return { ...d, content: next };
    });
  const setVuln = (i: number, v: AdvisoryVulnerability) =>
    edit((c) => {
      c.vulnerabilities[i] = v;
    });
  const productLabel = (p: AdvisoryProduct) => [p.vendor, p.name, p.version].filter(Boolean).join(' ') || p.id;

  return (
    <ProblemsProvider error={error} scope={EDITOR_SCOPE}>
      <form className="adv-editor" onSubmit={submitting(save.run)} noValidate aria-labelledby="adv-editor-heading">
        <h2 id="adv-editor-heading">{t('advisories.editor')}</h2>
        <div aria-live="polite">{notice && !dirty && <Notice>{notice}</Notice>}</div>
        <FormErrors error={error} id="adv-problems" labelOf={(field) => pathLabel(field, t)} />
        {advisory.readiness.length > 0 && !error && <Readiness problems={advisory.readiness} />}
        <fieldset disabled={!editable} className="adv-fields">
          <section className="card" aria-labelledby="adv-doc-heading">
            <h3 id="adv-doc-heading">{t('advisories.document')}</h3>
            <PInput
              path="title"
              label={t('advisories.fields.title')}
              value={content.title}
              onChange={(e) => edit((c) => void (c.title = e.target.value))}
            />
            <div className="grid-3">
              <PSelect
                path="tlp"
                label={t('advisories.fields.tlp')}
                hint={t('advisories.tlpHint')}
                value={tlp}
                onChange={(e) => setTlp(e.target.value as AdvisoryTlp)}
              >
                {advisoryTlps.map((x) => (
                  <option key={x} value={x}>
                    TLP:{x}
                  </option>
                ))}
              </PSelect>
              <PInput
                path="lang"
                label={t('advisories.fields.lang')}
                value={content.lang}
                onChange={(e) => edit((c) => void (c.lang = e.target.value))}
              />
              <PInput
                path="revisionSummary"
                label={t('advisories.fields.revisionSummary')}
                hint={t('advisories.revisionSummaryHint')}
                value={revisionSummary}
                onChange={(e) => setRevisionSummary(e.target.value)}
              />
            </div>
            <PTextArea
              path="summary"
              label={t('advisories.fields.summary')}
              hint={t('advisories.markdownHint')}
              rows={4}
              value={content.summary}
              onChange={(e) => edit((c) => void (c.summary = e.target.value))}
            />
            <h4>{t('advisories.publisher')}</h4>
            <div className="grid-2">
              <PInput
                path="publisher.name"
                label={t('advisories.fields.publisherName')}
                value={content.publisher.name}
                onChange={(e) => edit((c) => void (c.publisher.name = e.target.value))}
              />
              <PInput
                path="publisher.namespace"
                label={t('advisories.fields.namespace')}
                value={content.publisher.namespace}
                onChange={(e) => edit((c) => void (c.publisher.namespace = e.target.value))}
              />
              <PSelect
                path="publisher.category"
                label={t('advisories.fields.category')}
                value={content.publisher.category}
                onChange={(e) => edit((c) => void (c.publisher.category = e.target.value))}
              >
                {publisherCategories.map((x) => (
                  <option key={x} value={x}>
                    {t(`advisories.publisherCategories.${x}`)}
                  </option>
                ))}
              </PSelect>
              <PInput
                path="publisher.contactDetails"
                label={t('advisories.fields.contactDetails')}
                value={content.publisher.contactDetails}
                onChange={(e) => edit((c) => void (c.publisher.contactDetails = e.target.value))}
              />
            </div>
            <NotesEditor path="notes" notes={content.notes} onChange={(n) => edit((c) => void (c.notes = n))} />
            <ReferencesEditor
              path="references"
              references={content.references}
              onChange={(r) => edit((c) => void (c.references = r))}
            />
          </section>

          <section className="card" aria-labelledby="adv-products-heading">
            <h3 id="adv-products-heading">{t('advisories.productTree')}</h3>
            <ListEditor
              path="products"
              legend={t('advisories.products')}
              items={content.products}
              itemLegend={(p, i) => `${t('advisories.product')} ${i + 1}${p.name ? `: ${productLabel(p)}` : ''}`}
              addLabel={t('advisories.addProduct')}
              add={() => ({
                id: nextProductId(content.products),
                vendor: '',
                name: '',
                version: '',
                purl: '',
                cpe: '',
              })}
              onChange={(p) => edit((c) => void (c.products = p))}
              render={(p, _i, path, set) => (
                <div className="grid-3">
                  <PInput
                    path={`${path}.vendor`}
                    label={t('advisories.fields.vendor')}
                    value={p.vendor}
                    onChange={(e) => set({ ...p, vendor: e.target.value })}
                  />
                  <PInput
                    path={`${path}.name`}
                    label={t('advisories.fields.productName')}
                    value={p.name}
                    onChange={(e) => set({ ...p, name: e.target.value })}
                  />
                  <PInput
                    path={`${path}.version`}
                    label={t('advisories.fields.version')}
                    hint={t('advisories.versionHint')}
                    value={p.version}
                    onChange={(e) => set({ ...p, version: e.target.value })}
                  />
                  <PInput
                    path={`${path}.purl`}
                    label={t('advisories.fields.purl')}
                    placeholder="pkg:npm/example@1.2.3"
                    className="adv-span-all"
                    spellCheck={false}
                    value={p.purl ?? ''}
                    onChange={(e) => set({ ...p, purl: e.target.value })}
                  />
                  <PInput
                    path={`${path}.id`}
                    label={t('advisories.fields.productId')}
                    spellCheck={false}
                    value={p.id}
                    onChange={(e) => set({ ...p, id: e.target.value })}
                  />
                  <PInput
                    path={`${path}.cpe`}
                    label={t('advisories.fields.cpe')}
                    placeholder="cpe:2.3:a:example:product:1.2.3:*:*:*:*:*:*:*"
                    className="adv-span-all"
                    spellCheck={false}
                    value={p.cpe ?? ''}
                    onChange={(e) => set({ ...p, cpe: e.target.value })}
                  />
                </div>
              )}
            />
          </section>

          <section className="card" aria-labelledby="adv-vulns-heading">
            <h3 id="adv-vulns-heading">{t('advisories.vulnerabilities')}</h3>
            <ListEditor
              path="vulnerabilities"
              legend={t('advisories.vulnerabilities')}
              items={content.vulnerabilities}
              itemLegend={(v, i) => `${t('advisories.vulnerability')} ${i + 1}${v.cve ? ` (${v.cve})` : ''}`}
              addLabel={t('advisories.addVulnerability')}
              add={() => emptyVulnerability(content.vulnerabilities)}
              onChange={(v) => edit((c) => void (c.vulnerabilities = v))}
              render={(v, i, path) => (
                <VulnerabilityFields
                  v={v}
                  path={path}
                  products={content.products}
                  productLabel={productLabel}
                  onChange={(next) => setVuln(i, next)}
                />
              )}
            />
          </section>

          <section className="card" aria-labelledby="adv-acks-heading">
            <h3 id="adv-acks-heading">{t('advisories.acknowledgements')}</h3>
            <ListEditor
              path="acknowledgements"
              legend={t('advisories.acknowledgements')}
              items={content.acknowledgements}
              itemLegend={(_a, i) => `${t('advisories.acknowledgement')} ${i + 1}`}
              addLabel={t('advisories.addAcknowledgement')}
              add={(): AdvisoryAcknowledgement => ({ names: [], organization: '', summary: '' })}
              onChange={(a) => edit((c) => void (c.acknowledgements = a))}
              render={(a, _i, path, set) => (
                <div className="grid-3">
                  <ParsedArea
                    input
                    path={`${path}.names`}
                    label={t('advisories.fields.names')}
                    hint={t('advisories.namesHint')}
                    value={a.names}
                    format={(names) => names.join(', ')}
                    parse={(text) => ({
                      ok: true,
                      value: text
                        .split(',')
                        .map((s) => s.trim())
                        .filter(Boolean),
                    })}
                    onChange={(names) => set({ ...a, names })}
                  />
                  <PInput
                    path={`${path}.organization`}
                    label={t('advisories.fields.organization')}
                    value={a.organization ?? ''}
                    onChange={(e) => set({ ...a, organization: e.target.value })}
                  />
                  <PInput
                    path={`${path}.summary`}
                    label={t('advisories.fields.ackSummary')}
                    value={a.summary}
                    onChange={(e) => set({ ...a, summary: e.target.value })}
                  />
                </div>
              )}
            />
          </section>
        </fieldset>
        {editable && (
          <div className="actions adv-save">
            <Submit busy={save.busy}>{t('advisories.save')}</Submit>
            {dirty && <span className="muted small">{t('advisories.unsaved')}</span>}
            {advisory.state !== 'draft' && <span className="hint">{t('advisories.saveBackToDraft')}</span>}
          </div>
        )}
      </form>
    </ProblemsProvider>
  );
}

export interface Draft {
  content: AdvisoryContent;
  tlp: AdvisoryTlp;
  revisionSummary: string;
}

export function draftOf(a: Advisory): Draft {
  return { content: a.content, tlp: a.tlp, revisionSummary: a.pendingSummary };
}

/** Whether the draft differs from what is saved. */
export function isDirty(a: Advisory, d: Draft): boolean {
  return (
    JSON.stringify(d.content) !== JSON.stringify(a.content) || d.tlp !== a.tlp || d.revisionSummary !== a.pendingSummary
  );
}

function nextProductId(products: AdvisoryProduct[]): string {
  let n = products.length + 1;
  const ids = new Set(products.map((p) => p.id));
  while (ids.has(`CSAFPID-${String(n).padStart(4, '0')}`)) n++;
  return `CSAFPID-${String(n).padStart(4, '0')}`;
}

function emptyVulnerability(existing: AdvisoryVulnerability[]): AdvisoryVulnerability {
  let n = existing.length + 1;
  const ids = new Set(existing.map((v) => v.id));
  while (ids.has(`VULN-${n}`)) n++;
  return {
    id: `VULN-${n}`,
    cve: '',
    title: '',
    description: '',
    cwe: '',
    cvssV3: '',
    cvssV4: '',
    ssvc: null,
    notes: [],
    references: [],
    remediations: [],
    threats: [],
    statuses: [],
  };
}

/** What must hold before review (from the saved content), each a link to its place in the form. */
function Readiness({ problems }: { problems: FieldProblem[] }) {
  const { t } = useTranslation();
  return (
    <div className="alert adv-readiness">
      <p className="alert-title">{t('advisories.readiness')}</p>
      <ul>
        {problems.map((p) => (
          <li key={`${p.field}:${p.message}`}>
            <a
              href={`#${fieldId(p.field, EDITOR_SCOPE)}`}
              onClick={(e) => {
                e.preventDefault();
                focusField(p.field, EDITOR_SCOPE);
              }}
            >
              {pathLabel(p.field, t)}
            </a>
            : <span lang="en">{p.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function NotesEditor({
  path,
  notes,
  onChange,
}: {
  path: string;
  notes: AdvisoryNote[];
  onChange: (n: AdvisoryNote[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <ListEditor
      path={path}
      legend={t('advisories.notes')}
      items={notes}
      itemLegend={(_n, i) => `${t('advisories.note')} ${i + 1}`}
      addLabel={t('advisories.addNote')}
      add={emptyNote}
      onChange={onChange}
      render={(n, _i, p, set) => (
        <>
          <div className="grid-2">
            <PSelect
              path={`${p}.category`}
              label={t('advisories.fields.category')}
              value={n.category}
              onChange={(e) => set({ ...n, category: e.target.value })}
            >
              {noteCategories.map((x) => (
                <option key={x} value={x}>
                  {t(`advisories.noteCategories.${x}`)}
                </option>
              ))}
            </PSelect>
            <PInput
              path={`${p}.title`}
              label={t('advisories.fields.noteTitle')}
              value={n.title}
              onChange={(e) => set({ ...n, title: e.target.value })}
            />
          </div>
          <PTextArea
            path={`${p}.text`}
            label={t('advisories.fields.text')}
            rows={3}
            value={n.text}
            onChange={(e) => set({ ...n, text: e.target.value })}
          />
        </>
      )}
    />
  );
}

function ReferencesEditor({
  path,
  references,
  onChange,
}: {
  path: string;
  references: AdvisoryReference[];
  onChange: (r: AdvisoryReference[]) => void;
}) {
  const { t } = useTranslation();
  return (
    <ListEditor
      path={path}
      legend={t('advisories.references')}
      items={references}
      itemLegend={(_r, i) => `${t('advisories.reference')} ${i + 1}`}
      addLabel={t('advisories.addReference')}
      add={emptyRef}
      onChange={onChange}
      render={(r, _i, p, set) => (
        <div className="grid-3">
          <PInput
            path={`${p}.url`}
            label={t('advisories.fields.url')}
            type="url"
            value={r.url}
            onChange={(e) => set({ ...r, url: e.target.value })}
          />
          <PInput
            path={`${p}.summary`}
            label={t('advisories.fields.refSummary')}
            value={r.summary}
            onChange={(e) => set({ ...r, summary: e.target.value })}
          />
          <PSelect
            path={`${p}.category`}
            label={t('advisories.fields.category')}
            value={r.category}
            onChange={(e) => set({ ...r, category: e.target.value as AdvisoryReference['category'] })}
          >
            <option value="external">{t('advisories.refCategories.external')}</option>
            <option value="self">{t('advisories.refCategories.self')}</option>
          </PSelect>
        </div>
      )}
    />
  );
}

/** Products chosen by id: a multiple select (keyboard: arrows with shift/ctrl, or space). */
function ProductsPicker({
  path,
  label,
  value,
  products,
  productLabel,
  onChange,
}: {
  path: string;
  label: string;
  value: string[];
  products: AdvisoryProduct[];
  productLabel: (p: AdvisoryProduct) => string;
  onChange: (ids: string[]) => void;
}) {
  return (
    <PSelect
      path={path}
      nested
      label={label}
      multiple
      size={Math.min(Math.max(products.length, 2), 6)}
      value={value}
      onChange={(e) => onChange(Array.from(e.target.selectedOptions, (o) => o.value))}
    >
      {products.map((p) => (
        <option key={p.id} value={p.id}>
          {productLabel(p)} ({p.id})
        </option>
      ))}
    </PSelect>
  );
}

function VulnerabilityFields({
  v,
  path,
  products,
  productLabel,
  onChange,
}: {
  v: AdvisoryVulnerability;
  path: string;
  products: AdvisoryProduct[];
  productLabel: (p: AdvisoryProduct) => string;
  onChange: (v: AdvisoryVulnerability) => void;
}) {
  const { t } = useTranslation();
  const set = (patch: Partial<AdvisoryVulnerability>) => onChange({ ...v, ...patch });
  return (
    <>
      <div className="grid-2">
        <PInput
          path={`${path}.title`}
          label={t('advisories.fields.vulnTitle')}
          value={v.title}
          onChange={(e) => set({ title: e.target.value })}
        />
        <PInput
          path={`${path}.cve`}
          label={t('advisories.fields.cve')}
          placeholder="CVE-2026-12345"
          spellCheck={false}
          value={v.cve ?? ''}
          onChange={(e) => set({ cve: e.target.value })}
        />
      </div>
      <PTextArea
        path={`${path}.description`}
        label={t('advisories.fields.description')}
        rows={3}
        value={v.description}
        onChange={(e) => set({ description: e.target.value })}
      />
      <CweInput path={`${path}.cwe`} value={v.cwe ?? ''} onChange={(cwe) => set({ cwe })} />
      <div className="grid-2">
        <CvssCalculator
          version="3.1"
          path={`${path}.cvssV3`}
          label={t('advisories.fields.cvssV3')}
          value={v.cvssV3 ?? ''}
          onChange={(cvssV3) => set({ cvssV3 })}
        />
        <CvssCalculator
          version="4.0"
          path={`${path}.cvssV4`}
          label={t('advisories.fields.cvssV4')}
          value={v.cvssV4 ?? ''}
          onChange={(cvssV4) => set({ cvssV4 })}
        />
      </div>
      <SsvcField path={`${path}.ssvc`} value={v.ssvc} onChange={(ssvc) => set({ ssvc })} />
      <ListEditor
        path={`${path}.statuses`}
        legend={t('advisories.statuses')}
        items={v.statuses}
        itemLegend={(s, i) => `${t('advisories.status')} ${i + 1}${s.productId ? `: ${s.productId}` : ''}`}
        addLabel={t('advisories.addStatus')}
        add={() => ({ productId: products[0]?.id ?? '', status: 'known_affected', justification: null, statement: '' })}
        onChange={(statuses) => set({ statuses })}
        render={(s, _i, p, setS) => (
          <div className="grid-2">
            <PSelect
              path={`${p}.productId`}
              label={t('advisories.product')}
              value={s.productId}
              onChange={(e) => setS({ ...s, productId: e.target.value })}
            >
              {!products.some((x) => x.id === s.productId) && <option value={s.productId}>{s.productId || '—'}</option>}
              {products.map((x) => (
                <option key={x.id} value={x.id}>
                  {productLabel(x)} ({x.id})
                </option>
              ))}
            </PSelect>
            <PSelect
              path={`${p}.status`}
              label={t('advisories.status')}
              value={s.status}
              onChange={(e) => setS({ ...s, status: e.target.value })}
            >
              {productStatuses.map((x) => (
                <option key={x} value={x}>
                  {t(`advisories.productStatuses.${x}`)}
                </option>
              ))}
            </PSelect>
            <PSelect
              path={`${p}.justification`}
              label={t('advisories.fields.justification')}
              value={s.justification ?? ''}
              onChange={(e) => setS({ ...s, justification: e.target.value || null })}
            >
              <option value="">—</option>
              {vexJustifications.map((x) => (
                <option key={x} value={x}>
                  {t(`advisories.justifications.${x}`)}
                </option>
              ))}
            </PSelect>
            <PInput
              path={`${p}.statement`}
              label={t('advisories.fields.statement')}
              value={s.statement}
              onChange={(e) => setS({ ...s, statement: e.target.value })}
            />
          </div>
        )}
      />
      <ListEditor
        path={`${path}.remediations`}
        legend={t('advisories.remediations')}
        items={v.remediations}
        itemLegend={(_r, i) => `${t('advisories.remediation')} ${i + 1}`}
        addLabel={t('advisories.addRemediation')}
        add={() => ({ category: 'vendor_fix', details: '', url: '', productIds: [] })}
        onChange={(remediations) => set({ remediations })}
        render={(r, _i, p, setR) => (
          <>
            <div className="grid-2">
              <PSelect
                path={`${p}.category`}
                label={t('advisories.fields.category')}
                value={r.category}
                onChange={(e) => setR({ ...r, category: e.target.value })}
              >
                {remediationCategories.map((x) => (
                  <option key={x} value={x}>
                    {t(`advisories.remediationCategories.${x}`)}
                  </option>
                ))}
              </PSelect>
              <PInput
                path={`${p}.url`}
                label={t('advisories.fields.url')}
                type="url"
                value={r.url ?? ''}
                onChange={(e) => setR({ ...r, url: e.target.value })}
              />
            </div>
            <PTextArea
              path={`${p}.details`}
              label={t('advisories.fields.details')}
              rows={2}
              value={r.details}
              onChange={(e) => setR({ ...r, details: e.target.value })}
            />
            <ProductsPicker
              path={`${p}.productIds`}
              label={t('advisories.fields.products')}
              value={r.productIds}
              products={products}
              productLabel={productLabel}
              onChange={(productIds) => setR({ ...r, productIds })}
            />
          </>
        )}
      />
      <ListEditor
        path={`${path}.threats`}
        legend={t('advisories.threats')}
        items={v.threats}
        itemLegend={(_r, i) => `${t('advisories.threat')} ${i + 1}`}
        addLabel={t('advisories.addThreat')}
        add={() => ({ category: 'impact', details: '', productIds: [] })}
        onChange={(threats) => set({ threats })}
        render={(r, _i, p, setR) => (
          <>
            <PSelect
              path={`${p}.category`}
              label={t('advisories.fields.category')}
              value={r.category}
              onChange={(e) => setR({ ...r, category: e.target.value })}
            >
              {threatCategories.map((x) => (
                <option key={x} value={x}>
                  {t(`advisories.threatCategories.${x}`)}
                </option>
              ))}
            </PSelect>
            <PTextArea
              path={`${p}.details`}
              label={t('advisories.fields.details')}
              rows={2}
              value={r.details}
              onChange={(e) => setR({ ...r, details: e.target.value })}
            />
            <ProductsPicker
              path={`${p}.productIds`}
              label={t('advisories.fields.products')}
              value={r.productIds}
              products={products}
              productLabel={productLabel}
              onChange={(productIds) => setR({ ...r, productIds })}
            />
          </>
        )}
      />
      <NotesEditor path={`${path}.notes`} notes={v.notes} onChange={(notes) => set({ notes })} />
      <ReferencesEditor
        path={`${path}.references`}
        references={v.references}
        onChange={(references) => set({ references })}
      />
    </>
  );
}

/** The CWE id with suggestions from the catalogue (`GET /api/v1/cwe`, by number or words). */
function CweInput({ path, value, onChange }: { path: string; value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  const listId = useId();
  const [items, setItems] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    let live = true;
    const q = value.trim();
    if (q.length < 2) {
      setItems([]);
      return;
    }
    const timer = setTimeout(() => {
      advisoriesApi.cwe(q).then(
        (a) => live && setItems(a.items.slice(0, 20)),
        () => live && setItems([]),
      );
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [value]);
  const chosen = items.find((i) => i.id.toUpperCase() === value.trim().toUpperCase());
  return (
    <div className="score-field">
      <PInput
        path={path}
        label={t('advisories.fields.cwe')}
        hint={t('advisories.cweHint')}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        list={listId}
        autoComplete="off"
        placeholder="CWE-79"
      />
      <datalist id={listId}>
        {items.map((i) => (
          <option key={i.id} value={i.id}>
            {i.name}
          </option>
        ))}
      </datalist>
      <p className="score-preview" aria-live="polite">
        {chosen && (
          <span className="small" lang="en">
            {chosen.id}: {chosen.name}
          </span>
        )}
      </p>
    </div>
  );
}
