import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import type { Page } from "../api/types.js";
import { ProblemView } from "./problem-view.js";

/**
 * The pages of a list after its first: the items read so far, and a "Show more" button that
 * fetches the next page and appends it, for as long as the last page read has a `nextCursor`.
 */
export function usePages<T>(
  first: Page<T> | undefined,
  load: (cursor: string) => Promise<Page<T>>,
): { items: T[]; more: JSX.Element | null } {
  const [later, setLater] = useState<Page<T>[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  if (first === undefined) return { items: [], more: null };
  const pages = [first, ...later];
  const cursor = pages.at(-1)?.nextCursor ?? null;
  if (cursor === null) return { items: pages.flatMap((page) => page.items), more: null };
  const fetchMore = () => {
    setBusy(true);
    setError(null);
    load(cursor)
      .then(
        (page) => setLater((done) => [...done, page]),
        (failure: unknown) => setError(asApiError(failure)),
      )
      .finally(() => setBusy(false));
  };
  const more =
    error === null ? (
      <button type="button" class="button button-quiet" aria-busy={busy} onClick={fetchMore}>
        Show more
      </button>
    ) : (
      <ProblemView error={error} onRetry={fetchMore} />
    );
  return { items: pages.flatMap((page) => page.items), more };
}
