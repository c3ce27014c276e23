import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api.ts';
import {
  type Casework,
  caseworkApi,
  type EntryKind,
  internalRoles,
  type Meeting,
  type Overview,
} from '../../caseworkApi.ts';
import { ErrorAlert, errorFor, Field, Labelled, SelectField, Submit } from '../../components/forms.tsx';
import { Pending } from '../../components/lists.tsx';
import { useAction, useFormatDate, useResource } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { EntryForm, RemoveButton } from './EntryForm.tsx';
import './casework.css';

/**
 * The case execution template (staff only): the checklist signed off step by step, the people
 * involved, meetings, reproductions, remediations, the issue overview and the post-mortem that
 * falls due after release. Every change lands on the case timeline.
 */
export function CaseworkTab({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  const cw = useResource(() => caseworkApi.get(caseId), caseId);
  if (!cw.data) return <Pending error={cw.error} />;
  const data = cw.data;
  const reload = () => void cw.reload();
  const write = data.abilities.write;
  const templateEditor = me?.staffRole === 'admin' || me?.staffRole === 'coordinator';
  return (
    <div className="casework">
      <p className="muted">
        {t('casework.intro')} {templateEditor && <Link to="/casework/template">{t('casework.template.edit')}</Link>}
      </p>
      <Checklist caseId={caseId} data={data} write={write} reload={reload} />
      <OverviewCard caseId={caseId} overview={data.overview} write={write} reload={reload} />
      <Stakeholders caseId={caseId} data={data} write={write} reload={reload} />
      <Meetings caseId={caseId} data={data} write={write} reload={reload} />
      <Reproductions caseId={caseId} data={data} write={write} reload={reload} />
      <Remediations caseId={caseId} data={data} write={write} reload={reload} />
      <Postmortem caseId={caseId} data={data} write={write} reload={reload} />
    </div>
  );
}

interface SectionProps {
  caseId: string;
  data: Casework;
  write: boolean;
  reload: () => void;
}

const today = () => new Date().toISOString().slice(0, 10);

function TextArea({
  label,
  value,
  onChange,
  error,
  rows = 3,
  hint,
  readOnly = false,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string | null;
  rows?: number;
  hint?: string;
  readOnly?: boolean;
}) {
  return (
    <Labelled label={label} error={error} hint={hint}>
      {(aria) => (
        <textarea {...aria} rows={rows} value={value} readOnly={readOnly} onChange={(e) => onChange(e.target.value)} />
      )}
    </Labelled>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={`cw-${id}`}>
      <h2 id={`cw-${id}`}>{title}</h2>
      {children}
    </section>
  );
}

function Checklist({ caseId, data, write, reload }: SectionProps) {
  const { t } = useTranslation();
  const [signing, setSigning] = useState<string | null>(null);
  const [form, setForm] = useState({ name: '', date: today(), note: '' });
  const sign = useAction(async () => {
    if (!signing) return;
    await caseworkApi.sign(caseId, {
      step: signing,
      ...(form.name.trim() ? { name: form.name } : {}),
      date: form.date,
      note: form.note,
    });
    setSigning(null);
    reload();
  });
  const unsign = useAction(async (step: string) => {
    await caseworkApi.unsign(caseId, step);
    reload();
  });
  return (
    <Section
      id="checklist"
      title={t('casework.checklist.title', { signed: data.progress.signed, total: data.progress.total })}
    >
      <ErrorAlert error={unsign.error} />
      <ol className="cw-checklist">
        {data.checklist.map((s) => (
          <li key={s.key} className={s.signoff ? 'cw-signed' : undefined}>
            <span className="cw-mark" aria-hidden="true">
              {s.signoff ? '✔' : '○'}
            </span>
            <span className="cw-step">{s.title}</span>
            {s.signoff ? (
              <span className="small">
                {t('casework.checklist.signedBy', { name: s.signoff.name, date: s.signoff.date })}
                {s.signoff.note && ` — ${s.signoff.note}`}
              </span>
            ) : (
              <span className="small muted">{t('casework.checklist.open')}</span>
            )}
            {write && (
              <span className="cell-actions">
                {s.signoff ? (
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    aria-label={t('casework.checklist.withdrawStep', { step: s.title })}
                    disabled={unsign.busy}
                    onClick={() => void unsign.run(s.key)}
                  >
                    {t('casework.checklist.withdraw')}
                  </button>
                ) : (
                  <button
                    type="button"
                    className="btn btn-small"
                    aria-label={t('casework.checklist.signStep', { step: s.title })}
                    aria-expanded={signing === s.key}
                    onClick={() => {
                      setSigning(s.key);
                      setForm({ name: '', date: today(), note: '' });
                    }}
                  >
                    {t('casework.checklist.sign')}
                  </button>
                )}
              </span>
            )}
            {signing === s.key && (
              <form
                className="inline-form cw-signform"
                onSubmit={(e) => {
                  e.preventDefault();
                  void sign.run();
                }}
              >
                <ErrorAlert error={sign.error} />
                <Field
                  label={t('casework.checklist.name')}
                  hint={t('casework.checklist.nameHint')}
                  value={form.name}
                  onChange={(e) => setForm({ ...form, name: e.target.value })}
                  error={errorFor(sign.error, 'name')}
                />
                <Field
                  label={t('casework.checklist.date')}
                  type="date"
                  value={form.date}
                  onChange={(e) => setForm({ ...form, date: e.target.value })}
                  error={errorFor(sign.error, 'date')}
                />
                <Field
                  label={t('casework.checklist.note')}
                  value={form.note}
                  onChange={(e) => setForm({ ...form, note: e.target.value })}
                />
                <div className="actions">
                  <Submit busy={sign.busy}>{t('casework.checklist.sign')}</Submit>
                  <button type="button" className="btn btn-ghost" onClick={() => setSigning(null)}>
                    {t('common.cancel')}
                  </button>
                </div>
              </form>
            )}
          </li>
        ))}
      </ol>
    </Section>
  );
}

function OverviewCard({
  caseId,
  overview,
  write,
  reload,
}: {
  caseId: string;
  overview: Overview;
  write: boolean;
  reload: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<Overview>(overview);
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    await caseworkApi.overview(caseId, form);
    setSaved(true);
    reload();
  });
  const fields = ['summary', 'rootCause', 'impact', 'resolution'] as const;
  return (
    <Section id="overview" title={t('casework.overview.title')}>
      {write ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setSaved(false);
            void save.run();
          }}
        >
          <ErrorAlert error={save.error} />
          {fields.map((f) => (
            <TextArea
              key={f}
              label={t(`casework.overview.${f}`)}
              value={form[f]}
              onChange={(v) => setForm({ ...form, [f]: v })}
              error={errorFor(save.error, f)}
            />
          ))}
          <div className="actions">
            <Submit busy={save.busy}>{t('common.save')}</Submit>
            {saved && <span role="status">{t('casework.saved')}</span>}
          </div>
        </form>
      ) : (
        <dl className="facts">
          {fields.map((f) => (
            <div key={f} style={{ display: 'contents' }}>
              <dt>{t(`casework.overview.${f}`)}</dt>
              <dd className="cw-pre">{overview[f] || '—'}</dd>
            </div>
          ))}
        </dl>
      )}
    </Section>
  );
}

/** Shared by the list sections: add (a form of the kind's fields) and remove. */
function useEntryActions(caseId: string, kind: EntryKind, reload: () => void) {
  const add = useAction(async (data: Record<string, unknown>, done: () => void) => {
    await caseworkApi.addEntry(caseId, kind, data);
    done();
    reload();
  });
  const remove = useAction(async (id: string) => {
    await caseworkApi.removeEntry(caseId, id);
    reload();
  });
  return { add, remove };
}

function Stakeholders({ caseId, data, write, reload }: SectionProps) {
  const { t } = useTranslation();
  const { add, remove } = useEntryActions(caseId, 'stakeholder', reload);
  const blank = { side: 'internal', role: 'engineering', name: '', contact: '', participantId: '', notes: '' };
  const [form, setForm] = useState(blank);
  const participantName = (id: string | null) => data.participants.find((p) => p.id === id)?.name ?? '—';
  const submit = () => {
    const body =
      form.side === 'internal'
        ? { side: 'internal', role: form.role, name: form.name, contact: form.contact, notes: form.notes }
        : {
            side: 'external',
            role: form.role,
            name: form.name,
            contact: form.contact,
            notes: form.notes,
            participantId: form.participantId,
          };
    void add.run(body, () => setForm(blank));
  };
  return (
    <Section id="stakeholders" title={t('casework.stakeholders.title')}>
      <ErrorAlert error={remove.error} />
      {data.stakeholders.length === 0 ? (
        <p className="muted">{t('casework.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-dense">
            <thead>
              <tr>
                <th>{t('casework.stakeholders.role')}</th>
                <th>{t('casework.stakeholders.name')}</th>
                <th>{t('casework.stakeholders.contact')}</th>
                <th>{t('casework.stakeholders.notes')}</th>
                {write && <th />}
              </tr>
            </thead>
            <tbody>
              {data.stakeholders.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.side === 'internal'
                      ? t(`casework.roles.${s.role}`, { defaultValue: s.role })
                      : `${s.role} (${t('casework.stakeholders.external')})`}
                  </td>
                  <td>{s.side === 'external' ? s.name || participantName(s.participantId) : s.name}</td>
                  <td>{s.contact}</td>
                  <td>{s.notes}</td>
                  {write && (
                    <td className="cell-actions">
                      <RemoveButton busy={remove.busy} onClick={() => void remove.run(s.id)} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {write && (
        <EntryForm title={t('casework.stakeholders.add')} error={add.error} busy={add.busy} onSubmit={submit}>
          <SelectField
            label={t('casework.stakeholders.side')}
            value={form.side}
            onChange={(e) =>
              setForm({ ...form, side: e.target.value, role: e.target.value === 'internal' ? 'engineering' : '' })
            }
          >
            <option value="internal">{t('casework.stakeholders.internal')}</option>
            <option value="external">{t('casework.stakeholders.external')}</option>
          </SelectField>
          {form.side === 'internal' ? (
            <SelectField
              label={t('casework.stakeholders.role')}
              value={form.role}
              onChange={(e) => setForm({ ...form, role: e.target.value })}
              error={errorFor(add.error, 'role')}
            >
              {internalRoles.map((r) => (
                <option key={r} value={r}>
                  {t(`casework.roles.${r}`)}
                </option>
              ))}
            </SelectField>
          ) : (
            <>
              <SelectField
                label={t('casework.stakeholders.participant')}
                value={form.participantId}
                onChange={(e) => setForm({ ...form, participantId: e.target.value })}
                error={errorFor(add.error, 'participantId')}
              >
                <option value="">—</option>
                {data.participants
                  .filter((p) => !p.removed)
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name ?? p.role} ({p.role})
                    </option>
                  ))}
              </SelectField>
              <Field
                label={t('casework.stakeholders.role')}
                hint={t('casework.stakeholders.externalRoleHint')}
                value={form.role}
                onChange={(e) => setForm({ ...form, role: e.target.value })}
                error={errorFor(add.error, 'role')}
              />
            </>
          )}
          <Field
            label={t('casework.stakeholders.name')}
            value={form.name}
            onChange={(e) => setForm({ ...form, name: e.target.value })}
            error={errorFor(add.error, 'name')}
          />
          <Field
            label={t('casework.stakeholders.contact')}
            value={form.contact}
            onChange={(e) => setForm({ ...form, contact: e.target.value })}
          />
          <Field
            label={t('casework.stakeholders.notes')}
            value={form.notes}
            onChange={(e) => setForm({ ...form, notes: e.target.value })}
          />
        </EntryForm>
      )}
    </Section>
  );
}

const lines = (v: string) =>
  v
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** Actions are typed one per line: "what | owner | YYYY-MM-DD". */
function parseActions(v: string) {
  return lines(v).map((l) => {
    const [text = '', owner = '', due = ''] = l.split('|').map((p) => p.trim());
    return { text, owner, due: due || null };
  });
}

function MeetingItem({
  m,
  write,
  onRemove,
  onToggle,
  busy,
}: {
  m: Meeting;
  write: boolean;
  onRemove: () => void;
  onToggle: (i: number) => void;
  busy: boolean;
}) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  return (
    <li className="cw-meeting">
      <div className="row-between">
        <strong>
          {fmt(m.heldAt)} · {t('casework.meetings.minutes', { count: m.durationMinutes })}
          {m.location && ` · ${m.location}`}
        </strong>
        {write && <RemoveButton busy={busy} onClick={onRemove} />}
      </div>
      <p className="small">
        {t('casework.meetings.attendees')}: {m.attendees.join(', ')}
      </p>
      {m.notes && <p className="cw-pre">{m.notes}</p>}
      {m.decisions.length > 0 && (
        <>
          <h4>{t('casework.meetings.decisions')}</h4>
          <ul>
            {m.decisions.map((d, i) => (
              <li key={i}>{d}</li>
            ))}
          </ul>
        </>
      )}
      {m.actions.length > 0 && (
        <>
          <h4>{t('casework.meetings.actions')}</h4>
          <ul className="plain-list">
            {m.actions.map((a, i) => (
              <li key={i}>
                <label className="check">
                  <input type="checkbox" checked={a.done} disabled={!write || busy} onChange={() => onToggle(i)} />
                  <span>
                    {a.text} — {a.owner}
                    {a.due && ` (${t('casework.meetings.due', { date: a.due })})`}
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </>
      )}
    </li>
  );
}

function Meetings({ caseId, data, write, reload }: SectionProps) {
  const { t } = useTranslation();
  const { add, remove } = useEntryActions(caseId, 'meeting', reload);
  const toggle = useAction(async (m: Meeting, i: number) => {
    const { id, createdAt: _c, updatedAt: _u, ...rest } = m;
    await caseworkApi.updateEntry(caseId, id, {
      ...rest,
      actions: m.actions.map((a, j) => (j === i ? { ...a, done: !a.done } : a)),
    });
    reload();
  });
  const blank = {
    heldAt: '',
    durationMinutes: '30',
    location: '',
    attendees: '',
    notes: '',
    decisions: '',
    actions: '',
  };
  const [form, setForm] = useState(blank);
  const submit = () => {
    void add.run(
      {
        heldAt: form.heldAt ? new Date(form.heldAt).toISOString() : '',
        durationMinutes: Number(form.durationMinutes),
        location: form.location,
        attendees: lines(form.attendees.replace(/,/g, '\n')),
        notes: form.notes,
        decisions: lines(form.decisions),
        actions: parseActions(form.actions),
      },
      () => setForm(blank),
    );
  };
  return (
    <Section id="meetings" title={t('casework.meetings.title')}>
      <ErrorAlert error={remove.error ?? toggle.error} />
      {data.meetings.length === 0 ? (
        <p className="muted">{t('casework.none')}</p>
      ) : (
        <ul className="plain-list">
          {data.meetings.map((m) => (
            <MeetingItem
              key={m.id}
              m={m}
              write={write}
              busy={remove.busy || toggle.busy}
              onRemove={() => void remove.run(m.id)}
              onToggle={(i) => void toggle.run(m, i)}
            />
          ))}
        </ul>
      )}
      {write && (
        <EntryForm title={t('casework.meetings.add')} error={add.error} busy={add.busy} onSubmit={submit}>
          <Field
            label={t('casework.meetings.heldAt')}
            type="datetime-local"
            value={form.heldAt}
            onChange={(e) => setForm({ ...form, heldAt: e.target.value })}
            error={errorFor(add.error, 'heldAt')}
          />
          <Field
            label={t('casework.meetings.duration')}
            type="number"
            min={1}
            max={1440}
            value={form.durationMinutes}
            onChange={(e) => setForm({ ...form, durationMinutes: e.target.value })}
            error={errorFor(add.error, 'durationMinutes')}
          />
          <Field
            label={t('casework.meetings.location')}
            value={form.location}
            onChange={(e) => setForm({ ...form, location: e.target.value })}
          />
          <TextArea
            label={t('casework.meetings.attendees')}
            hint={t('casework.meetings.attendeesHint')}
            value={form.attendees}
            onChange={(v) => setForm({ ...form, attendees: v })}
            error={errorFor(add.error, 'attendees')}
            rows={2}
          />
          <TextArea
            label={t('casework.meetings.notes')}
            value={form.notes}
            onChange={(v) => setForm({ ...form, notes: v })}
          />
          <TextArea
            label={t('casework.meetings.decisions')}
            hint={t('casework.onePerLine')}
            value={form.decisions}
            onChange={(v) => setForm({ ...form, decisions: v })}
          />
          <TextArea
            label={t('casework.meetings.actions')}
            hint={t('casework.meetings.actionsHint')}
            value={form.actions}
            onChange={(v) => setForm({ ...form, actions: v })}
            error={errorFor(add.error, 'actions') ?? problemsUnder(add.error, 'actions[')}
          />
        </EntryForm>
      )}
    </Section>
  );
}

/** The first complaint about a field whose name starts with `prefix` (e.g. one action line). */
function problemsUnder(error: unknown, prefix: string): string | null {
  if (!(error instanceof ApiError)) return null;
  const p = error.problems.find((x) => x.field.startsWith(prefix));
  return p ? `${p.field}: ${p.message}` : null;
}

function Reproductions({ caseId, data, write, reload }: SectionProps) {
  const { t } = useTranslation();
  const { add, remove } = useEntryActions(caseId, 'reproduction', reload);
  const blank = { by: '', on: today(), environment: '', steps: '', result: 'reproduced' };
  const [form, setForm] = useState(blank);
  return (
    <Section id="reproductions" title={t('casework.reproductions.title')}>
      <ErrorAlert error={remove.error} />
      {data.reproductions.length === 0 ? (
        <p className="muted">{t('casework.none')}</p>
      ) : (
        <ul className="plain-list">
          {data.reproductions.map((r) => (
            <li key={r.id} className="cw-meeting">
              <div className="row-between">
                <strong>
                  {t('casework.reproductions.line', { by: r.by, on: r.on })} ·{' '}
                  {t(`casework.reproductions.results.${r.result}`)}
                </strong>
                {write && <RemoveButton busy={remove.busy} onClick={() => void remove.run(r.id)} />}
              </div>
              {r.environment && <p className="small">{r.environment}</p>}
              <p className="cw-pre">{r.steps}</p>
            </li>
          ))}
        </ul>
      )}
      {write && (
        <EntryForm
          title={t('casework.reproductions.add')}
          error={add.error}
          busy={add.busy}
          onSubmit={() => void add.run({ ...form }, () => setForm(blank))}
        >
          <Field
            label={t('casework.reproductions.by')}
            value={form.by}
            onChange={(e) => setForm({ ...form, by: e.target.value })}
            error={errorFor(add.error, 'by')}
          />
          <Field
            label={t('casework.reproductions.on')}
            type="date"
            value={form.on}
            onChange={(e) => setForm({ ...form, on: e.target.value })}
            error={errorFor(add.error, 'on')}
          />
          <Field
            label={t('casework.reproductions.environment')}
            value={form.environment}
            onChange={(e) => setForm({ ...form, environment: e.target.value })}
          />
          <TextArea
            label={t('casework.reproductions.steps')}
            value={form.steps}
            onChange={(v) => setForm({ ...form, steps: v })}
            error={errorFor(add.error, 'steps')}
          />
          <SelectField
            label={t('casework.reproductions.result')}
            value={form.result}
            onChange={(e) => setForm({ ...form, result: e.target.value })}
          >
            {(['reproduced', 'partially', 'not_reproduced'] as const).map((r) => (
              <option key={r} value={r}>
                {t(`casework.reproductions.results.${r}`)}
              </option>
            ))}
          </SelectField>
        </EntryForm>
      )}
    </Section>
  );
}

function Remediations({ caseId, data, write, reload }: SectionProps) {
  const { t } = useTranslation();
  const { add, remove } = useEntryActions(caseId, 'remediation', reload);
  const blank = { kind: 'patch', status: 'planned', description: '', fixedVersions: '', links: '' };
  const [form, setForm] = useState(blank);
  return (
    <Section id="remediations" title={t('casework.remediations.title')}>
      <ErrorAlert error={remove.error} />
      {data.remediations.length === 0 ? (
        <p className="muted">{t('casework.none')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table-dense">
            <thead>
              <tr>
                <th>{t('casework.remediations.kind')}</th>
                <th>{t('casework.remediations.status')}</th>
                <th>{t('casework.remediations.description')}</th>
                <th>{t('casework.remediations.fixedVersions')}</th>
                <th>{t('casework.remediations.links')}</th>
                {write && <th />}
              </tr>
            </thead>
            <tbody>
              {data.remediations.map((r) => (
                <tr key={r.id}>
                  <td>{t(`casework.remediations.kinds.${r.kind}`)}</td>
                  <td>{t(`casework.remediations.statuses.${r.status}`)}</td>
                  <td className="cw-pre">{r.description}</td>
                  <td>{r.fixedVersions}</td>
                  <td>
                    {r.links.map((l) => (
                      <div key={l}>
                        <a href={l} rel="noopener noreferrer nofollow" target="_blank">
                          {l}
                        </a>
                      </div>
                    ))}
                  </td>
                  {write && (
                    <td className="cell-actions">
                      <RemoveButton busy={remove.busy} onClick={() => void remove.run(r.id)} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {write && (
        <EntryForm
          title={t('casework.remediations.add')}
          error={add.error}
          busy={add.busy}
          onSubmit={() => void add.run({ ...form, links: lines(form.links) }, () => setForm(blank))}
        >
          <SelectField
            label={t('casework.remediations.kind')}
            value={form.kind}
            onChange={(e) => setForm({ ...form, kind: e.target.value })}
          >
            {(['patch', 'workaround', 'configuration', 'other'] as const).map((k) => (
              <option key={k} value={k}>
                {t(`casework.remediations.kinds.${k}`)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('casework.remediations.status')}
            value={form.status}
            onChange={(e) => setForm({ ...form, status: e.target.value })}
          >
            {(['planned', 'in_progress', 'released'] as const).map((s) => (
              <option key={s} value={s}>
                {t(`casework.remediations.statuses.${s}`)}
              </option>
            ))}
          </SelectField>
          <TextArea
            label={t('casework.remediations.description')}
            value={form.description}
            onChange={(v) => setForm({ ...form, description: v })}
            error={errorFor(add.error, 'description')}
          />
          <Field
            label={t('casework.remediations.fixedVersions')}
            value={form.fixedVersions}
            onChange={(e) => setForm({ ...form, fixedVersions: e.target.value })}
          />
          <TextArea
            label={t('casework.remediations.links')}
            hint={t('casework.onePerLine')}
            value={form.links}
            onChange={(v) => setForm({ ...form, links: v })}
            error={problemsUnder(add.error, 'links')}
            rows={2}
          />
        </EntryForm>
      )}
    </Section>
  );
}

function Postmortem({ caseId, data, write, reload }: SectionProps) {
  const { t } = useTranslation();
  const fmt = useFormatDate();
  const pm = data.postmortem;
  const [answers, setAnswers] = useState<Record<string, string>>(pm.answers);
  const [participants, setParticipants] = useState(pm.participants);
  const [heldOn, setHeldOn] = useState(pm.heldOn ?? '');
  const [saved, setSaved] = useState(false);
  const save = useAction(async (complete: boolean) => {
    setSaved(false);
    await caseworkApi.postmortem(caseId, { answers, participants, heldOn: heldOn || null, complete });
    setSaved(true);
    reload();
  });
  const overdue = pm.dueAt !== null && !pm.completedAt && new Date(pm.dueAt).getTime() <= Date.now();
  return (
    <Section id="postmortem" title={t('casework.postmortem.title')}>
      <p>
        {pm.completedAt
          ? t('casework.postmortem.completed', { at: fmt(pm.completedAt) })
          : pm.releasedAt
            ? t('casework.postmortem.due', { released: fmt(pm.releasedAt), due: fmt(pm.dueAt) })
            : t('casework.postmortem.notReleased', { days: pm.days })}
      </p>
      {overdue && (
        <p className="alert alert-warn" role="status">
          {t('casework.postmortem.overdue')}
        </p>
      )}
      <ErrorAlert error={save.error} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save.run(false);
        }}
      >
        {pm.questions.map((q) => (
          <TextArea
            key={q.key}
            label={q.text}
            value={answers[q.key] ?? ''}
            onChange={(v) => setAnswers({ ...answers, [q.key]: v })}
            error={errorFor(save.error, `answers.${q.key}`)}
            readOnly={!write}
          />
        ))}
        <Field
          label={t('casework.postmortem.participants')}
          value={participants}
          onChange={(e) => setParticipants(e.target.value)}
          disabled={!write}
        />
        <Field
          label={t('casework.postmortem.heldOn')}
          type="date"
          value={heldOn}
          onChange={(e) => setHeldOn(e.target.value)}
          error={errorFor(save.error, 'heldOn')}
          disabled={!write}
        />
        {write && (
          <div className="actions">
            <Submit busy={save.busy}>{t('common.save')}</Submit>
            <button type="button" className="btn" disabled={save.busy} onClick={() => void save.run(true)}>
              {t('casework.postmortem.complete')}
            </button>
            {saved && <span role="status">{t('casework.saved')}</span>}
          </div>
        )}
      </form>
    </Section>
  );
}
