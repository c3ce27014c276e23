import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, ApiError, type Me, onApiError, setCsrfToken } from './api.ts';
import { setLanguage } from './i18n.ts';
import { navigate } from './router.tsx';

interface SessionState {
  /** undefined while the first GET /me is on its way; null when signed out. */
  me: Me | null | undefined;
  /** The server wants this staff member to set up 2FA before anything else. */
  enrolmentRequired: boolean;
  refresh: () => Promise<Me | null>;
  login: (input: { email: string; password: string; totp?: string }) => Promise<void>;
  logout: () => Promise<void>;
  can: (capability: string) => boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [enrolmentRequired, setEnrolmentRequired] = useState(false);

  const apply = useCallback(async (next: Me | null, applyLocale: boolean) => {
    setCsrfToken(next?.csrfToken ?? null);
    if (next && applyLocale) setLanguage(next.user.locale);
    setEnrolmentRequired(next?.totpEnrolmentRequired ?? false);
    setMe(next);
  }, []);

  const refresh = useCallback(async () => {
    try {
      const next = await api.me();
      await apply(next, false);
      return next;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        await apply(null, false);
        return null;
      }
      throw err;
    }
  }, [apply]);

  useEffect(() => {
    api
      .me()
      .then((next) => apply(next, true))
      .catch(() => apply(null, false));
  }, [apply]);

  useEffect(
    () =>
      onApiError((err) => {
        if (err.code === 'ERR_TOTP_ENROLMENT_REQUIRED') {
          setEnrolmentRequired(true);
          navigate('/profile#two-factor');
        } else if (err.code === 'ERR_UNAUTHENTICATED') {
          // The session expired or was ended elsewhere.
          setCsrfToken(null);
          setMe(null);
        }
      }),
    [],
  );

  const login = useCallback(
    async (input: { email: string; password: string; totp?: string }) => {
      const answer = await api.login(input);
      setCsrfToken(answer.csrfToken);
      const next = await api.me();
      await apply(next, true);
    },
    [apply],
  );

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
    }
    setCsrfToken(null);
    setEnrolmentRequired(false);
    setMe(null);
    navigate('/login');
  }, []);

  const value = useMemo<SessionState>(
    () => ({
      me,
      enrolmentRequired,
      refresh,
      login,
      logout,
      can: (capability: string) => !!me?.capabilities.includes(capability),
    }),
    [me, enrolmentRequired, refresh, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
