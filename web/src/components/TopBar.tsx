import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';
import { TopBarSearch } from '../pages/search/SearchPage.tsx';
import { LanguageSwitcher } from './LanguageSwitcher.tsx';

interface NavItem {
  to: string;
  label: string;
  show: boolean;
}

export function TopBar() {
  const { t } = useTranslation();
  const { me, can, enrolmentRequired } = useSession();
  const { path } = useLocation();
  const items: NavItem[] = [
    { to: '/', label: t('nav.home'), show: true },
    { to: '/cases', label: t('nav.cases'), show: true },
    { to: '/reports', label: t('nav.reports'), show: can('report:list') },
    { to: '/finders', label: t('nav.finders'), show: can('finder:read') },
    { to: '/orgs', label: t('nav.orgs'), show: true },
    { to: '/directory', label: t('nav.directory'), show: true },
    { to: '/staff/advisories', label: t('nav.advisories'), show: me?.staffRole != null },
    { to: '/assessment', label: t('nav.assessment'), show: me?.staffRole != null },
    { to: '/metrics', label: t('nav.metrics'), show: can('metrics:read') },
    { to: '/admin/users', label: t('nav.users'), show: can('user:list') },
    { to: '/admin/audit', label: t('nav.audit'), show: can('audit:read') },
    { to: '/admin/outbox', label: t('nav.outbox'), show: can('outbox:read') },
    { to: '/admin/settings', label: t('nav.settings'), show: can('settings:read') },
  ];
  const active = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`));
  return (
    <header className="topbar">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <Link to="/" className="brand">
        <span className="brand-mark" aria-hidden="true">
          ◆
        </span>
        {me?.instanceName ?? t('app.name')}
      </Link>
      {me && !enrolmentRequired && (
        <nav aria-label={t('nav.label')} className="mainnav">
          <ul>
            {items
              .filter((i) => i.show)
              .map((i) => (
                <li key={i.to}>
                  <Link to={i.to} aria-current={active(i.to) ? 'page' : undefined}>
                    {i.label}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
      )}
      <div className="topbar-end">
        {me && !enrolmentRequired && <TopBarSearch />}
        <LanguageSwitcher />
        {me && <UserMenu />}
      </div>
    </header>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const { me, logout } = useSession();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDoc = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('mousedown', onDoc);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDoc);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  if (!me) return null;
  return (
    <div
      className="usermenu"
      ref={ref}
      onBlur={(e) => {
        // Keyboard users tabbing out of the menu close it.
        if (!ref.current?.contains(e.relatedTarget)) setOpen(false);
      }}
    >
      <button
        type="button"
        ref={buttonRef}
        className="btn btn-ghost usermenu-button"
        aria-expanded={open}
        aria-controls="usermenu-panel"
        onClick={() => setOpen((o) => !o)}
      >
        <span className="usermenu-name">{me.user.name}</span>
        {me.staffRole && <span className="badge">{t(`roles.${me.staffRole}`)}</span>}
        <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="usermenu-panel" id="usermenu-panel">
          <p className="usermenu-email">{me.user.email}</p>
          <Link to="/profile" className="usermenu-item" onClick={() => setOpen(false)}>
            {t('nav.profile')}
          </Link>
          <button
            type="button"
            className="usermenu-item"
            onClick={() => {
              setOpen(false);
              void logout();
            }}
          >
            {t('nav.logout')}
          </button>
        </div>
      )}
    </div>
  );
}
