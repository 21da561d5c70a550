import { useEffect, useState, type FormEvent } from "react";
import { useAuth } from "../auth/AuthContext";

/** A new account's one-time password must be replaced before anything else (the server answers 403 until then). */
export function ChangePasswordPage() {
  const { session, changePassword, signOut } = useAuth();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = "Choose a password · IvvyWorkflows";
  }, []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (next !== repeat) {
      setError("The two new passwords differ.");
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await changePassword(current, next);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <div className="signin-card">
        <h1>Choose your password</h1>
        <p className="muted">
          {session?.userName}, you signed in with a one-time password. Choose your own to carry on.
        </p>
        <form onSubmit={(e) => void submit(e)} noValidate>
          <div className="field">
            <label htmlFor="current-password">One-time password</label>
            <input id="current-password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} autoFocus />
          </div>
          <div className="field">
            <label htmlFor="new-password">New password</label>
            <input id="new-password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="repeat-password">New password again</label>
            <input id="repeat-password" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy || !current || !next || !repeat}>
            {busy ? "Saving…" : "Save and continue"}
          </button>
          <button type="button" className="btn btn-block" onClick={() => void signOut()}>
            Sign out
          </button>
        </form>
      </div>
    </main>
  );
}
