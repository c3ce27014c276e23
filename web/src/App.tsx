import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { TopBar } from './components/TopBar.tsx';
import { useTitle } from './hooks.ts';
import { AcceptInvitationPage } from './pages/AcceptInvitationPage.tsx';
import { AuditPage } from './pages/admin/AuditPage.tsx';
import { OutboxPage } from './pages/admin/OutboxPage.tsx';
import { SettingsPage } from './pages/admin/SettingsPage.tsx';
import { UsersPage } from './pages/admin/UsersPage.tsx';
import { CasePage } from './pages/cases/CasePage.tsx';
import { CasesPage } from './pages/cases/CasesPage.tsx';
import { FinderPage } from './pages/finders/FinderPage.tsx';
import { FindersPage } from './pages/finders/FindersPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { OrgDetailPage } from './pages/orgs/OrgDetailPage.tsx';
import { OrgsPage } from './pages/orgs/OrgsPage.tsx';
import { directoryPage } from './pages/directory/routes.tsx';
import { operationsPage } from './pages/assessment/routes.tsx';
import { metricsPage } from './pages/metrics/routes.tsx';
import { advisoriesPage } from './pages/advisories/routes.tsx';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/PasswordResetPages.tsx';
import { ProfilePage } from './pages/profile/ProfilePage.tsx';
import { FollowUpPage } from './pages/report/FollowUpPage.tsx';
import { ReportPage } from './pages/report/ReportPage.tsx';
import { ReportDetailPage } from './pages/reports/ReportDetailPage.tsx';
import { ReportsQueuePage } from './pages/reports/ReportsQueuePage.tsx';
import { SearchPage } from './pages/search/SearchPage.tsx';
import { Link, match, navigate, useLocation } from './router.tsx';
import { useSession } from './session.tsx';

/** Pages anyone may open, signed in or not. */
const publicPages: Record<string, () => ReactNode> = {
  '/reset-password': () => <ResetPasswordPage />,
  '/forgot-password': () => <ForgotPasswordPage />,
  '/accept-invitation': () => <AcceptInvitationPage />,
  '/report': () => <ReportPage />,
  '/report/follow-up': () => <FollowUpPage />,
};

function signedInPage(path: string, can: (c: string) => boolean, staff = false): ReactNode {
  if (match('/', path)) return <HomePage />;
  if (match('/profile', path)) return <ProfilePage />;
  if (match('/orgs', path)) return <OrgsPage />;
  const directory = directoryPage(path, can);
  if (directory !== undefined) return directory ?? <Forbidden />;
  const operations = operationsPage(path, staff);
  if (operations !== undefined) return operations ?? <Forbidden />;
  const metrics = metricsPage(path, can);
  if (metrics !== undefined) return metrics ?? <Forbidden />;
  const advisories = advisoriesPage(path, staff);
  if (advisories !== undefined) return advisories ?? <Forbidden />;
  const org = match('/orgs/:id', path);
  if (org?.id) return <OrgDetailPage key={org.id} id={org.id} />;
  if (match('/reports', path)) return can('report:list') ? <ReportsQueuePage /> : <Forbidden />;
  const report = match('/reports/:trackingId', path);
  if (report?.trackingId) {
    return can('report:list') ? (
      <ReportDetailPage key={report.trackingId} trackingId={report.trackingId} />
    ) : (
      <Forbidden />
    );
  }
  if (match('/search', path)) return <SearchPage />;
  if (match('/cases', path)) return <CasesPage />;
  const kase = match('/cases/:caseId', path);
  if (kase?.caseId) return <CasePage key={kase.caseId} caseId={kase.caseId} />;
  if (match('/finders', path)) return can('finder:read') ? <FindersPage /> : <Forbidden />;
  const finder = match('/finders/:id', path);
  if (finder?.id) return can('finder:read') ? <FinderPage key={finder.id} id={finder.id} /> : <Forbidden />;
  if (match('/admin/users', path)) return can('user:list') ? <UsersPage /> : <Forbidden />;
  if (match('/admin/audit', path)) return can('audit:read') ? <AuditPage /> : <Forbidden />;
  if (match('/admin/outbox', path)) return can('outbox:read') ? <OutboxPage /> : <Forbidden />;
  if (match('/admin/settings', path)) return can('settings:read') ? <SettingsPage /> : <Forbidden />;
  return <NotFound />;
}

export function App() {
  const { t } = useTranslation();
  const { me, can, enrolmentRequired } = useSession();
  const { path } = useLocation();
  const isLogin = path === '/login';
  const firstPath = useRef(true);

  useEffect(() => {
    // After client-side navigation, start keyboard and screen-reader users at the new content.
    if (firstPath.current) firstPath.current = false;
    else document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);

  useEffect(() => {
    if (me === null && !isLogin && !(path in publicPages)) {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path)}`;
      navigate(`/login${next}`, { replace: true });
    } else if (me && isLogin) {
      navigate('/', { replace: true });
    } else if (me && enrolmentRequired && path !== '/profile' && !(path in publicPages)) {
      navigate('/profile#two-factor', { replace: true });
    }
  }, [me, isLogin, path, enrolmentRequired]);

  let page: ReactNode;
  const publicPage = publicPages[path];
  if (publicPage) page = publicPage();
  else if (me === undefined)
    page = (
      <p className="muted" role="status">
        {t('common.loading')}
      </p>
    );
  else if (me === null) page = <LoginPage />;
  else if (isLogin) page = null;
  else page = signedInPage(path, can, me.staffRole !== null);

  return (
    <>
      <TopBar />
      <main id="main" tabIndex={-1} className="main">
        {page}
      </main>
      <footer className="footer">
        <span>{t('app.footer')}</span>
      </footer>
    </>
  );
}

function NotFound() {
  const { t } = useTranslation();
  useTitle(t('notFound.title'));
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.text')}</p>
      <p>
        <Link to="/">{t('notFound.home')}</Link>
      </p>
    </>
  );
}

function Forbidden() {
  const { t } = useTranslation();
  useTitle(t('forbidden.title'));
  return (
    <>
      <h1>{t('forbidden.title')}</h1>
      <p>{t('forbidden.text')}</p>
    </>
  );
}
