import { useEffect, useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { api } from "../api/client";
import type { SignInOptions } from "../api/types";
import { useAuth } from "../auth/AuthContext";
import { homePath } from "../routes";

export function SignInPage() {
  const { signIn, expired } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [userName, setUserName] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [options, setOptions] = useState<SignInOptions>();

  const returnUrl = safeReturnUrl(params.get("returnUrl"));

  useEffect(() => {
    document.title = "Sign in · IvvyWorkflows";
    api.signInOptions().then(setOptions).catch(() => setOptions(undefined));
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await signIn(userName.trim(), password);
      navigate(returnUrl, { replace: true });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <div className="signin-brand">
          <img src="/favicon.svg" alt="" width="40" height="40" />
          <div>
            <h1>IvvyWorkflows</h1>
            <p>iVvy ⇄ CRM sync console</p>
          </div>
        </div>
        {expired && !error && (
          <p className="notice notice-info" role="status">
            Your session ended. Sign in again to carry on.
          </p>
        )}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label htmlFor="user-name">User name</label>
            <input
              id="user-name"
              name="username"
              autoComplete="username"
              required
              value={userName}
              onChange={(e) => setUserName(e.target.value)}
              autoFocus
            />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy || !userName || !password}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
        {options?.openIdConnect && options.openIdConnectUrl && (
          <a className="btn btn-block" href={`${options.openIdConnectUrl}?returnUrl=${encodeURIComponent(returnUrl)}`}>
            Sign in with your organisation
          </a>
        )}
        <p className="signin-hint">
          No account yet? An administrator adds one with <code>ivvy-workflows users add NAME --role operator</code>, which
          prints a one-time password.
        </p>
      </div>
    </main>
  );
}

function safeReturnUrl(value: string | null): string {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/sign-in") ? value : homePath;
}
