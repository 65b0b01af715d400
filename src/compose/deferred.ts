/**
 * A port whose adapter is still opening: every call waits for `opening`, then goes to the
 * adapter. A Lambda function starts opening its store and token issuer at init and answers what
 * needs neither (a preflight, an anonymous request refused before any store read) without
 * waiting; a failure to open is the error of the first call that needs the adapter. Only for
 * ports whose methods are all async (Store, TokenIssuer). A Proxy rather than a list of the
 * methods, so that a method added to a port needs nothing here.
 */
export function deferred<Port extends object>(opening: Promise<Port>): Port {
  // Reported by the calls that need the adapter, not as an unhandled rejection at init.
  opening.catch(() => {});
  return new Proxy({} as Port, {
    get(_target, name) {
      // Not a thenable (`await port` must not wait on it), and no symbol-keyed members.
      if (typeof name !== "string" || name === "then") return undefined;
      return async (...args: unknown[]) => {
        const port = await opening;
        const method = port[name as keyof Port] as (...args: unknown[]) => Promise<unknown>;
        return method.apply(port, args);
      };
    },
  });
}
