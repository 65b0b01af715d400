/** What an account page shows to a visitor who is not signed in. */
export function SignInNeeded({ next, what }: { next: string; what: string }) {
  const query = `?next=${encodeURIComponent(next)}`;
  return (
    <section class="panel">
      <h1 tabIndex={-1}>Sign in to see {what}</h1>
      <p>
        <a class="button" href={`/sign-in${query}`}>
          Sign in
        </a>{" "}
        or <a href={`/sign-up${query}`}>create an account</a>.
      </p>
    </section>
  );
}
