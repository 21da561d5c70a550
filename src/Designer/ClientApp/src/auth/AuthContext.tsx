import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { api, ApiError, setAntiforgeryToken, setUnauthorizedHandler } from "../api/client";
import type { Session } from "../api/types";
import { roleCan, type Permission } from "./permissions";

interface AuthState {
  /** undefined while the session is being read; null when nobody is signed in. */
  session: Session | null | undefined;
  signIn: (userName: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  changePassword: (currentPassword: string, newPassword: string) => Promise<void>;
  can: (permission: Permission) => boolean;
  /** Set when a signed-in page was answered 401: the sign-in page says the session ended. */
  expired: boolean;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);

  const accept = useCallback((next: Session | null) => {
    setAntiforgeryToken(next?.antiforgeryToken ?? null);
    setSession(next);
  }, []);

  useEffect(() => {
    api
      .session()
      .then(accept)
      .catch((e: unknown) => {
        if (!(e instanceof ApiError) || e.status !== 401) console.error(e);
        accept(null);
      });
  }, [accept]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setExpired(true);
      accept(null);
    });
    return () => setUnauthorizedHandler(null);
  }, [accept]);

  const value = useMemo<AuthState>(
    () => ({
      session,
      expired,
      signIn: async (userName, password) => {
        try {
          accept(await api.signIn(userName, password));
          setExpired(false);
        } catch (e) {
          if (e instanceof ApiError && e.status === 401) throw new ApiError(401, "The user name or password is not right.");
          throw e;
        }
      },
      signOut: async () => {
        try {
          await api.signOut();
        } finally {
          accept(null);
        }
      },
      changePassword: async (currentPassword, newPassword) => accept(await api.changePassword(currentPassword, newPassword)),
      can: (permission) => !session?.mustChangePassword && roleCan(session?.role, permission),
    }),
    [session, expired, accept],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}
