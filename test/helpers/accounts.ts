import { setTimeout as sleep } from "node:timers/promises";

/** The password every account a test signs up over HTTP uses. */
export const TEST_PASSWORD = "correct horse battery";

/**
 * Signs a new account up on a running server and signs it in, as a client would: sign-up answers
 * 202 whether or not the email is taken (it never says), so the token comes from `/auth/login`.
 */
export async function signUpAndSignIn(baseUrl: string, email: string): Promise<string> {
  const account = JSON.stringify({ email, password: TEST_PASSWORD });
  const post = (path: string) =>
    fetch(`${baseUrl}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: account,
    });
  const signup = await post("/auth/signup");
  await signup.arrayBuffer();
  if (signup.status !== 202) throw new Error(`sign-up of ${email} answered ${signup.status}`);
  let login = await post("/auth/login");
  // Sign-ins from one address are counted as they arrive: many at once wait their turn, as the
  // answer's Retry-After says (a client would do the same).
  for (let tries = 0; login.status === 429 && tries < 10; tries++) {
    await login.arrayBuffer();
    await sleep(Number(login.headers.get("retry-after") ?? "1") * 1000);
    login = await post("/auth/login");
  }
  const body = (await login.json()) as { accessToken?: string };
  if (login.status !== 200 || body.accessToken === undefined) {
    throw new Error(`sign-in of ${email} answered ${login.status}`);
  }
  return body.accessToken;
}
