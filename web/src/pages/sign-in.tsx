import { useState } from "preact/hooks";
import { signInAndMerge } from "../account.js";
import { CognitoError, describeCognitoError } from "../auth/cognito.js";
import { Field } from "../components/field.js";
import { usePageTitle } from "../load.js";
import { location, navigate, safeNext } from "../router.js";
import { useStore } from "../state.js";

export function SignInPage() {
  usePageTitle("Sign in");
  const { query } = useStore(location);
  const next = safeNext(query.get("next"), "/");
  const [email, setEmail] = useState(query.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError("");
    try {
      await signInAndMerge(email.trim(), password);
      navigate(next, { replace: true });
    } catch (failure) {
      if (failure instanceof CognitoError && failure.type === "UserNotConfirmedException") {
        const params = new URLSearchParams({ email: email.trim(), confirm: "1", next });
        navigate(`/sign-up?${params}`);
        return;
      }
      setError(describeCognitoError(failure));
      setBusy(false);
    }
  };

  const signUpHref = `/sign-up?next=${encodeURIComponent(next)}`;
  return (
    <section class="panel narrow">
      <h1 tabIndex={-1}>Sign in</h1>
      <form class="form" onSubmit={submit}>
        <Field
          id="sign-in-email"
          label="Email"
          type="email"
          autocomplete="username"
          required
          value={email}
          onValue={setEmail}
        />
        <Field
          id="sign-in-password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        {error === "" ? null : (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
      <p>
        New here? <a href={signUpHref}>Create an account</a>.
      </p>
    </section>
  );
}
