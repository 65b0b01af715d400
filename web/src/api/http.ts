import { ApiError, networkError, problemFrom } from "./problem.js";

export interface ApiRequest {
  method?: "GET" | "POST" | "PUT" | "PATCH";
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the signed-in user's bearer token (when there is one). */
  auth?: boolean;
}

interface HttpSetup {
  apiUrl: string;
  /** A fresh access token (refreshed first when it is about to expire), or null when signed out. */
  accessToken: () => Promise<string | null>;
}

let setup: HttpSetup | undefined;

export function configureHttp(value: HttpSetup): void {
  setup = value;
}

/** The API's base URL, for addresses the API answers relative to it (an upload's URL). */
export function apiBaseUrl(): string {
  if (setup === undefined) throw new Error("the API client is not configured");
  return setup.apiUrl;
}

/** Calls the API and answers its JSON; a non-2xx answer throws an ApiError with the problem. */
export async function request<T>(path: string, options: ApiRequest = {}): Promise<T> {
  if (setup === undefined) throw new Error("the API client is not configured");
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.auth === true) {
    const token = await setup.accessToken();
    if (token !== null) headers.Authorization = `Bearer ${token}`;
  }
  const init: RequestInit = { method: options.method ?? "GET", headers };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(`${setup.apiUrl}${path}`, init);
  } catch {
    throw networkError();
  }
  if (!response.ok) throw await problemFrom(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError({
      status: response.status,
      code: "BAD_RESPONSE",
      title: "Unexpected answer",
      detail: "The server's answer could not be read.",
    });
  }
}
