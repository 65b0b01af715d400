import { useState } from "preact/hooks";
import { signInAndMerge } from "../account.js";
import { confirmSignUp, describeCognitoError, signUp } from "../auth/cognito.js";
import { Field } from "../components/field.js";
import { usePageTitle } from "../load.js";
import { location, navigate, safeNext } from "../router.js";
import { useStore } from "../state.js";

// Cognito's default policy; the server has the last word and its message is shown as it is.
const PASSWORD_HINT =
  "At least 8 characters, with upper and lower case letters, a digit and a symbol.";

export function SignUpPage() {
  const { query } = useStore(location);
  const next = safeNext(query.get("next"), "/");
  const [step, setStep] = useState<"details" | "code">(
    query.get("confirm") === "1" ? "code" : "details",
  );
  const [name, setName] = useState("");
  const [email, setEmail] = useState(query.get("email") ?? "");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  usePageTitle(step === "details" ? "Create an account" : "Confirm your email");

  const run = async (task: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await task();
    } catch (failure) {
      setError(describeCognitoError(failure));
    } finally {
      setBusy(false);
    }
  };

  const register = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await signUp(email.trim(), password, name.trim());
      setStep("code");
    });
  };

  const confirm = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      await confirmSignUp(email.trim(), code.trim());
      // With the password still at hand, sign straight in; after a reload it is gone.
      if (password === "") {
        const params = new URLSearchParams({ email: email.trim(), next });
        navigate(`/sign-in?${params}`, { replace: true });
        return;
      }
      await signInAndMerge(email.trim(), password);
      navigate(next, { replace: true });
    });
  };

  const errorView =
    error === "" ? null : (
      <p class="error" role="alert">
        {error}
      </p>
    );

  if (step === "code") {
    return (
      <section class="panel narrow">
        <h1 tabIndex={-1}>Confirm your email</h1>
        <p aria-live="polite">
          We sent a 6-digit code to <strong>{email}</strong>. Enter it to finish creating your
          account.
        </p>
        <form class="form" onSubmit={confirm}>
          <Field
            id="sign-up-code"
            label="Confirmation code"
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9]{6}"
            maxLength={6}
            required
            value={code}
            onValue={setCode}
          />
          {errorView}
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? "Confirming…" : "Confirm and sign in"}
          </button>
        </form>
      </section>
    );
  }

  return (
    <section class="panel narrow">
      <h1 tabIndex={-1}>Create an account</h1>
      <form class="form" onSubmit={register}>
        <Field
          id="sign-up-name"
          label="Name"
          autocomplete="name"
          required
          maxLength={60}
          value={name}
          onValue={setName}
        />
        <Field
          id="sign-up-email"
          label="Email"
          type="email"
          autocomplete="email"
          required
          value={email}
          onValue={setEmail}
        />
        <Field
          id="sign-up-password"
          label="Password"
          type="password"
          autocomplete="new-password"
          required
          minLength={8}
          hint={PASSWORD_HINT}
          value={password}
          onValue={setPassword}
        />
        {errorView}
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <a href={`/sign-in?next=${encodeURIComponent(next)}`}>Sign in</a>.
      </p>
    </section>
  );
}
