import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { type ApiError, asApiError } from "./api/problem.js";

export type Loaded<T> =
  | { state: "loading" }
  | { state: "error"; error: ApiError }
  | { state: "ready"; value: T };

/**
 * Runs `load` when `key` changes; an answer for an older key is dropped. `reload` runs it again
 * and keeps showing the value it has meanwhile (no flash of "Loading").
 */
export function useLoad<T>(load: () => Promise<T>, key: string): [Loaded<T>, () => void] {
  const [result, setResult] = useState<Loaded<T>>({ state: "loading" });
  const [round, setRound] = useState(0);
  const shownKey = useRef<string | null>(null);
  useEffect(() => {
    let current = true;
    if (shownKey.current !== key) setResult({ state: "loading" });
    load().then(
      (value) => {
        if (!current) return;
        shownKey.current = key;
        setResult({ state: "ready", value });
      },
      (error: unknown) => current && setResult({ state: "error", error: asApiError(error) }),
    );
    return () => {
      current = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return [result, reload];
}

/** Names the page in the tab and for screen readers' history. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title === "" ? "serverless-store" : `${title} · serverless-store`;
  }, [title]);
}
