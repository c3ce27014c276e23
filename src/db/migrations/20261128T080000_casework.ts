import { sql, type Kysely } from 'kysely';

/**
 * PSIRT operations (issue 7). The case execution template: per organization a template
 * (checklist steps, post-mortem questions, days after release when the post-mortem is due); per
 * case a snapshot of it with the sign-offs, the issue overview and the post-mortem answers, plus
 * list entries (stakeholders, meetings, reproductions, remediations). The PSIRT Services
 * Framework self-assessment: dated assessments, a maturity level and evidence per framework
 * item, and gap actions. Dates that are calendar days are `YYYY-MM-DD` text, the same on both
 * engines.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table casework_templates (
      id uuid primary key,
      org_id uuid not null unique references organizations(id) on delete cascade,
      steps jsonb not null,
      questions jsonb not null,
      postmortem_days integer not null check (postmortem_days between 0 and 365),
      updated_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`
    create table casework (
      case_id uuid primary key references cases(id) on delete cascade,
      steps jsonb not null,
      questions jsonb not null,
      postmortem_days integer not null,
      signoffs jsonb not null,
      overview jsonb not null,
      postmortem jsonb not null,
      postmortem_completed_at timestamptz(3),
      postmortem_notified_at timestamptz(3),
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`
    create table casework_entries (
      id uuid primary key,
      case_id uuid not null references cases(id) on delete cascade,
      kind text not null check (kind in ('stakeholder', 'meeting', 'reproduction', 'remediation')),
      data jsonb not null,
      created_by uuid references users(id) on delete set null,
      updated_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null,
      deleted_at timestamptz(3)
    )`.execute(db);
  await sql`create index casework_entries_case on casework_entries (case_id, kind, created_at)`.execute(db);
  await sql`
    create table assessments (
      id uuid primary key,
      org_id uuid not null references organizations(id) on delete cascade,
      title text not null,
      assessed_on text not null check (assessed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      notes text not null,
      framework_version text not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index assessments_org on assessments (org_id, assessed_on desc, created_at desc)`.execute(db);
  await sql`
    create table assessment_items (
      assessment_id uuid not null references assessments(id) on delete cascade,
      item_id text not null,
      level integer not null check (level between 0 and 3),
      evidence text not null,
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz(3) not null,
      primary key (assessment_id, item_id)
    )`.execute(db);
  await sql`
    create table assessment_gaps (
      id uuid primary key,
      assessment_id uuid not null references assessments(id) on delete cascade,
      item_id text not null,
      action text not null,
      owner text not null,
      due_on text check (due_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
      done boolean not null,
      created_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`create index assessment_gaps_assessment on assessment_gaps (assessment_id, item_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'assessment_gaps',
    'assessment_items',
    'assessments',
    'casework_entries',
    'casework',
    'casework_templates',
  ]) {
    await sql`drop table if exists ${sql.table(t)}`.execute(db);
  }
}
