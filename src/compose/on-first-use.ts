/**
 * `load`, called on the first use and once: what a Lambda function may never need (graphql-js,
 * the token verifiers, the notifier, the mailer) stays out of its cold start.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}
