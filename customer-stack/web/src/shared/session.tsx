// Who is signed in, for the whole app: asks the stack (/auth/me) on load; a 401 there (after
// one silent refresh) means signed out. Signing in and out go through the stack only: the
// session itself lives in HttpOnly cookies no script can read.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { ApiError } from '@bulwark/ui-kit';
import { auth, whenSessionEnds, type Principal } from './customer-api';

type SessionState =
  | { readonly status: 'checking' }
  | { readonly status: 'signed-out'; readonly reason?: string }
  | { readonly status: 'unreachable'; readonly error: unknown }
  /** `secondFactor` is known to be on when this sign-in passed it (the API has no status read). */
  | { readonly status: 'signed-in'; readonly principal: Principal; readonly secondFactor?: 'on' };

interface SessionContextValue {
  readonly state: SessionState;
  readonly recheck: () => Promise<void>;
  readonly signedIn: (principal: Principal, secondFactor?: 'on') => void;
  readonly signOut: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function SessionProvider({ children }: { readonly children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'checking' });

  const recheck = useCallback(async () => {
    try {
      setState({ status: 'signed-in', principal: await auth.me() });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) setState({ status: 'signed-out' });
      else setState({ status: 'unreachable', error });
    }
  }, []);

  useEffect(() => {
    whenSessionEnds(() => setState({ status: 'signed-out', reason: 'Your session has ended. Please sign in again.' }));
    void recheck();
  }, [recheck]);

  const signOut = useCallback(async () => {
    await auth.logout().catch(() => undefined);
    setState({ status: 'signed-out', reason: 'You have signed out.' });
  }, []);

  const signedIn = useCallback((principal: Principal, secondFactor?: 'on') => setState({ status: 'signed-in', principal, ...(secondFactor ? { secondFactor } : {}) }), []);
  return <SessionContext.Provider value={{ state, recheck, signedIn, signOut }}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in principal (only under a route that requires one). */
export function usePrincipal(): Principal {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('usePrincipal without a session');
  return state.principal;
}
