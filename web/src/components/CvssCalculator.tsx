import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type CvssScore, advisoriesApi } from '../advisoriesApi.ts';
import { ApiError } from '../api.ts';
import { Labelled } from './forms.tsx';
import { fieldId, useFieldProblems, useFieldScope } from './problems.tsx';

/**
 * The CVSS calculator: a vector field kept in sync both ways with radio groups of the metrics
 * (typing a vector sets the radios, choosing a value rewrites the vector), and the server's score
 * and severity of it, asked for once typing settles. The server's complaint names the bad metric;
 * it is shown on the field (aria-invalid, aria-describedby) with any problem the form was given.
 */

export type CvssCalculatorVersion = '3.1' | '4.0';
type Group = 'base' | 'temporal' | 'threat' | 'environmental' | 'supplemental';

interface Metric {
  key: string;
  name: string;
  group: Group;
  /** Value letter → its name, in specification order; `X` (Not Defined) first outside the base group. */
  values: [string, string][];
}

const v = (spec: string): [string, string][] =>
  spec.split('|').map((pair) => {
    const [k = '', name = ''] = pair.split('=');
    return [k, name];
  });
const ND = 'X=Not Defined';
const CIA = 'H=High|L=Low|N=None';

/** CVSS 3.1 specification table 15, in vector order. */
const CVSS31: Metric[] = [
  { key: 'AV', name: 'Attack Vector', group: 'base', values: v('N=Network|A=Adjacent|L=Local|P=Physical') },
  { key: 'AC', name: 'Attack Complexity', group: 'base', values: v('L=Low|H=High') },
  { key: 'PR', name: 'Privileges Required', group: 'base', values: v('N=None|L=Low|H=High') },
  { key: 'UI', name: 'User Interaction', group: 'base', values: v('N=None|R=Required') },
  { key: 'S', name: 'Scope', group: 'base', values: v('U=Unchanged|C=Changed') },
  { key: 'C', name: 'Confidentiality', group: 'base', values: v(CIA) },
  { key: 'I', name: 'Integrity', group: 'base', values: v(CIA) },
  { key: 'A', name: 'Availability', group: 'base', values: v(CIA) },
  {
    key: 'E',
    name: 'Exploit Code Maturity',
    group: 'temporal',
    values: v(`${ND}|H=High|F=Functional|P=Proof-of-Concept|U=Unproven`),
  },
  {
    key: 'RL',
    name: 'Remediation Level',
    group: 'temporal',
    values: v(`${ND}|U=Unavailable|W=Workaround|T=Temporary Fix|O=Official Fix`),
  },
  { key: 'RC', name: 'Report Confidence', group: 'temporal', values: v(`${ND}|C=Confirmed|R=Reasonable|U=Unknown`) },
  { key: 'CR', name: 'Confidentiality Requirement', group: 'environmental', values: v(`${ND}|H=High|M=Medium|L=Low`) },
  { key: 'IR', name: 'Integrity Requirement', group: 'environmental', values: v(`${ND}|H=High|M=Medium|L=Low`) },
  { key: 'AR', name: 'Availability Requirement', group: 'environmental', values: v(`${ND}|H=High|M=Medium|L=Low`) },
  {
    key: 'MAV',
    name: 'Modified Attack Vector',
    group: 'environmental',
    values: v(`${ND}|N=Network|A=Adjacent|L=Local|P=Physical`),
  },
  { key: 'MAC', name: 'Modified Attack Complexity', group: 'environmental', values: v(`${ND}|L=Low|H=High`) },
  { key: 'MPR', name: 'Modified Privileges Required', group: 'environmental', values: v(`${ND}|N=None|L=Low|H=High`) },
  { key: 'MUI', name: 'Modified User Interaction', group: 'environmental', values: v(`${ND}|N=None|R=Required`) },
  { key: 'MS', name: 'Modified Scope', group: 'environmental', values: v(`${ND}|U=Unchanged|C=Changed`) },
  { key: 'MC', name: 'Modified Confidentiality', group: 'environmental', values: v(`${ND}|${CIA}`) },
  { key: 'MI', name: 'Modified Integrity', group: 'environmental', values: v(`${ND}|${CIA}`) },
  { key: 'MA', name: 'Modified Availability', group: 'environmental', values: v(`${ND}|${CIA}`) },
];

/** CVSS 4.0 specification section 7, in vector order. */
const CVSS40: Metric[] = [
  { key: 'AV', name: 'Attack Vector', group: 'base', values: v('N=Network|A=Adjacent|L=Local|P=Physical') },
  { key: 'AC', name: 'Attack Complexity', group: 'base', values: v('L=Low|H=High') },
  { key: 'AT', name: 'Attack Requirements', group: 'base', values: v('N=None|P=Present') },
  { key: 'PR', name: 'Privileges Required', group: 'base', values: v('N=None|L=Low|H=High') },
  { key: 'UI', name: 'User Interaction', group: 'base', values: v('N=None|P=Passive|A=Active') },
  { key: 'VC', name: 'Vulnerable System Confidentiality', group: 'base', values: v(CIA) },
  { key: 'VI', name: 'Vulnerable System Integrity', group: 'base', values: v(CIA) },
  { key: 'VA', name: 'Vulnerable System Availability', group: 'base', values: v(CIA) },
  { key: 'SC', name: 'Subsequent System Confidentiality', group: 'base', values: v(CIA) },
  { key: 'SI', name: 'Subsequent System Integrity', group: 'base', values: v(CIA) },
  { key: 'SA', name: 'Subsequent System Availability', group: 'base', values: v(CIA) },
  { key: 'E', name: 'Exploit Maturity', group: 'threat', values: v(`${ND}|A=Attacked|P=POC|U=Unreported`) },
  { key: 'CR', name: 'Confidentiality Requirements', group: 'environmental', values: v(`${ND}|H=High|M=Medium|L=Low`) },
  { key: 'IR', name: 'Integrity Requirements', group: 'environmental', values: v(`${ND}|H=High|M=Medium|L=Low`) },
  { key: 'AR', name: 'Availability Requirements', group: 'environmental', values: v(`${ND}|H=High|M=Medium|L=Low`) },
  {
    key: 'MAV',
    name: 'Modified Attack Vector',
    group: 'environmental',
    values: v(`${ND}|N=Network|A=Adjacent|L=Local|P=Physical`),
  },
  { key: 'MAC', name: 'Modified Attack Complexity', group: 'environmental', values: v(`${ND}|L=Low|H=High`) },
  { key: 'MAT', name: 'Modified Attack Requirements', group: 'environmental', values: v(`${ND}|N=None|P=Present`) },
  { key: 'MPR', name: 'Modified Privileges Required', group: 'environmental', values: v(`${ND}|N=None|L=Low|H=High`) },
  {
    key: 'MUI',
    name: 'Modified User Interaction',
    group: 'environmental',
    values: v(`${ND}|N=None|P=Passive|A=Active`),
  },
  { key: 'MVC', name: 'Modified Vulnerable System Confidentiality', group: 'environmental', values: v(`${ND}|${CIA}`) },
  { key: 'MVI', name: 'Modified Vulnerable System Integrity', group: 'environmental', values: v(`${ND}|${CIA}`) },
  { key: 'MVA', name: 'Modified Vulnerable System Availability', group: 'environmental', values: v(`${ND}|${CIA}`) },
  { key: 'MSC', name: 'Modified Subsequent System Confidentiality', group: 'environmental', values: v(`${ND}|${CIA}`) },
  {
    key: 'MSI',
    name: 'Modified Subsequent System Integrity',
    group: 'environmental',
    values: v(`${ND}|S=Safety|${CIA}`),
  },
  {
    key: 'MSA',
    name: 'Modified Subsequent System Availability',
    group: 'environmental',
    values: v(`${ND}|S=Safety|${CIA}`),
  },
  { key: 'S', name: 'Safety', group: 'supplemental', values: v(`${ND}|N=Negligible|P=Present`) },
  { key: 'AU', name: 'Automatable', group: 'supplemental', values: v(`${ND}|N=No|Y=Yes`) },
  { key: 'R', name: 'Recovery', group: 'supplemental', values: v(`${ND}|A=Automatic|U=User|I=Irrecoverable`) },
  { key: 'V', name: 'Value Density', group: 'supplemental', values: v(`${ND}|D=Diffuse|C=Concentrated`) },
  {
    key: 'RE',
    name: 'Vulnerability Response Effort',
    group: 'supplemental',
    values: v(`${ND}|L=Low|M=Medium|H=High`),
  },
  {
    key: 'U',
    name: 'Provider Urgency',
    group: 'supplemental',
    values: v(`${ND}|Clear=Clear|Green=Green|Amber=Amber|Red=Red`),
  },
];

export function cvssMetrics(version: CvssCalculatorVersion): Metric[] {
  return version === '3.1' ? CVSS31 : CVSS40;
}

/** The metrics a vector sets (`KEY` → value letter), as typed: unknown keys and values are kept. */
export function readVector(vector: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = vector.trim().split('/');
  for (const part of parts.slice(1)) {
    const [k, val] = part.split(':');
    if (k && val !== undefined && !out.has(k)) out.set(k, val);
  }
  return out;
}

/**
 * The vector after choosing `value` for `key`: the version's prefix, then every known metric the
 * vector sets with an allowed value, in specification order; Not Defined (`X`) is left out.
 * Metrics it does not know, and values not allowed, are dropped: choosing replaces them.
 */
export function setMetric(version: CvssCalculatorVersion, vector: string, key: string, value: string): string {
  const current = readVector(vector);
  current.set(key, value);
  const parts = [`CVSS:${version}`];
  for (const m of cvssMetrics(version)) {
    const chosen = current.get(m.key);
    if (chosen === undefined || chosen === 'X') continue;
    if (!m.values.some(([k]) => k === chosen)) continue;
    parts.push(`${m.key}:${chosen}`);
  }
  return parts.join('/');
}

/** Waits until the value has stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

const groupsOf: Record<CvssCalculatorVersion, Group[]> = {
  '3.1': ['base', 'temporal', 'environmental'],
  '4.0': ['base', 'threat', 'environmental', 'supplemental'],
};

export function CvssCalculator({
  version,
  path,
  label,
  hint,
  value,
  onChange,
}: {
  version: CvssCalculatorVersion;
  /** The field's path in the server's problems (and, with the form's scope, its id). */
  path: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (vector: string) => void;
}) {
  const { t } = useTranslation();
  const scope = useFieldScope();
  const formProblems = useFieldProblems(path);
  const name = useId();
  const [open, setOpen] = useState(false);
  const [shownGroups, setShownGroups] = useState<Group[]>(['base']);
  const settled = useSettled(value.trim(), 350);
  const [score, setScore] = useState<CvssScore | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setScore(null);
    setProblem(null);
    if (!settled) return;
    advisoriesApi.cvss(settled).then(
      (s) => {
        if (!live) return;
        if (!s.version.startsWith(version.slice(0, 2)))
          setProblem(t('cvssCalc.wrongVersion', { expected: version, given: s.version }));
        else setScore(s);
      },
      (err: unknown) => live && setProblem(err instanceof ApiError ? err.message : t('errors.generic')),
    );
    return () => {
      live = false;
    };
  }, [settled, version, t]);

  // While typing, the last answer is stale: show only the answer for what is in the field.
  const current = settled === value.trim();
  const liveProblem = current ? problem : null;
  const errors = [...new Set([...(liveProblem ? [liveProblem] : []), ...formProblems])];
  const chosen = readVector(value);
  const id = fieldId(path, scope);
  const panelId = `${id}-calculator`;
  const metrics = cvssMetrics(version);

  return (
    <div className="cvss-calc" data-testid={`${path}-calculator`}>
      <Labelled id={id} label={label} hint={hint} error={errors.join(' · ') || null}>
        {(aria) => (
          <input
            {...aria}
            className="mono-input"
            value={value}
            onChange={(e) => onChange(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            placeholder={
              version === '3.1'
                ? 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'
                : 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'
            }
          />
        )}
      </Labelled>
      <p className="score-preview" aria-live="polite" data-testid={`${path}-preview`}>
        {current && score && (
          <>
            <span className={`badge sev-${score.severity.toLowerCase()}`}>
              {score.score.toFixed(1)} {t(`severity.${score.severity.toLowerCase()}`, { defaultValue: score.severity })}
            </span>{' '}
            <span className="muted small">
              CVSS {score.version}
              {Object.entries(score.scores).length > 1 &&
                ` · ${Object.entries(score.scores)
                  .map(([k, s]) => `${t(`cvssCalc.scoreNames.${k}`, { defaultValue: k })} ${s.toFixed(1)}`)
                  .join(' · ')}`}
            </span>
          </>
        )}
      </p>
      <button
        type="button"
        className="btn btn-small"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        {open ? t('cvssCalc.close', { version }) : t('cvssCalc.open', { version })}
      </button>
      {open && (
        <div className="cvss-panel" id={panelId} role="group" aria-label={t('cvssCalc.panel', { version })}>
          <div className="cvss-groups">
            {groupsOf[version].map((g) => (
              <label key={g} className="check">
                <input
                  type="checkbox"
                  checked={shownGroups.includes(g)}
                  disabled={g === 'base'}
                  onChange={(e) => setShownGroups((s) => (e.target.checked ? [...s, g] : s.filter((x) => x !== g)))}
                />{' '}
                {t(`cvssCalc.groups.${g}`)}
              </label>
            ))}
          </div>
          {groupsOf[version]
            .filter((g) => shownGroups.includes(g))
            .map((g) => (
              <section key={g} className="cvss-group" aria-label={t(`cvssCalc.groups.${g}`)}>
                <h4>{t(`cvssCalc.groups.${g}`)}</h4>
                <div className="cvss-metrics">
                  {metrics
                    .filter((m) => m.group === g)
                    .map((m) => {
                      const picked = chosen.get(m.key) ?? (g === 'base' ? '' : 'X');
                      const invalid = chosen.has(m.key) && !m.values.some(([k]) => k === chosen.get(m.key));
                      return (
                        <fieldset key={m.key} className={`cvss-metric${invalid ? ' invalid' : ''}`}>
                          <legend>
                            <span lang="en">{m.name}</span> <span className="muted mono">({m.key})</span>
                          </legend>
                          {m.values.map(([k, valueName]) => (
                            <label key={k} className="cvss-choice">
                              <input
                                type="radio"
                                name={`${name}-${m.key}`}
                                value={k}
                                checked={picked === k}
                                onChange={() => onChange(setMetric(version, value, m.key, k))}
                              />{' '}
                              <span lang="en">{valueName}</span> <span className="muted mono">{k}</span>
                            </label>
                          ))}
                        </fieldset>
                      );
                    })}
                </div>
              </section>
            ))}
        </div>
      )}
    </div>
  );
}
