/** A refused or failed request, read from the API's application/problem+json answer. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly fields: { field: string; message: string }[];

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail: string;
    fields?: { field: string; message: string }[];
  }) {
    super(init.detail);
    this.name = "ApiError";
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.fields = init.fields ?? [];
  }
}

function text(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

function fieldsOf(value: unknown): { field: string; message: string }[] {
  if (!Array.isArray(value)) return [];
  const fields: { field: string; message: string }[] = [];
  for (const item of value) {
    if (typeof item !== "object" || item === null) continue;
    const entry = item as Record<string, unknown>;
    if (typeof entry.field === "string" && typeof entry.message === "string") {
      fields.push({ field: entry.field, message: entry.message });
    }
  }
  return fields;
}

/** Builds the error from a non-2xx answer, whatever its body (a proxy's HTML page included). */
export async function problemFrom(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.json();
    if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {}
  return new ApiError({
    status: response.status,
    code: text(body.code, `HTTP_${response.status}`),
    title: text(body.title, response.statusText || "Request failed"),
    detail: text(body.detail, `The server answered ${response.status}.`),
    fields: fieldsOf(body.errors),
  });
}

export function networkError(): ApiError {
  return new ApiError({
    status: 0,
    code: "NETWORK",
    title: "Network error",
    detail: "The shop could not be reached. Check your connection and try again.",
  });
}

/** Any thrown value as an ApiError, for views that show `detail`. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    status: 0,
    code: "CLIENT",
    title: "Something went wrong",
    detail: error instanceof Error ? error.message : String(error),
  });
}
