import type { ApiError } from "../api/problem.js";

/** An error as the API explained it: its title, and its `detail` for the visitor. */
export function ProblemView({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div class="problem" role="alert">
      <h2>{error.status === 0 ? error.title : `${error.title} (${error.status})`}</h2>
      <p>{error.detail}</p>
      {onRetry === undefined ? null : (
        <button type="button" class="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
