import type { ApiError } from "../api/problem.js";

/** A form's outcome: what it did, announced politely, or why not, as an alert. */
export function Feedback({ error, done }: { error: ApiError | string | null; done: string }) {
  return (
    <>
      <p role="status" aria-live="polite">
        {done}
      </p>
      {error === null ? null : (
        <p class="error" role="alert">
          {typeof error === "string" ? error : error.detail}
        </p>
      )}
    </>
  );
}
