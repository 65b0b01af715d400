interface FieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Read with the input, below it. */
  hint?: string;
  /** What is wrong with the value, shown under it and read with it; the input is marked invalid. */
  error?: string | undefined;
  type?: "text" | "email" | "password" | "tel";
  autocomplete?: string;
  inputMode?: "text" | "numeric" | "email" | "tel" | "url";
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** The ids of a field's hint and error, for its `aria-describedby`. */
export function describedBy(id: string, hint: unknown, error: string | undefined) {
  const ids = [
    ...(hint === undefined ? [] : [`${id}-hint`]),
    ...(error === undefined ? [] : [`${id}-error`]),
  ];
  return ids.length === 0 ? undefined : ids.join(" ");
}

/** A field's error message, under its input. */
export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error === undefined ? null : (
    <p id={`${id}-error`} class="field-error">
      {error}
    </p>
  );
}

/** A labelled text input. */
export function Field({
  id,
  label,
  value,
  onValue,
  hint,
  error,
  type = "text",
  ...rest
}: FieldProps) {
  // Preact's input types tell input kinds apart by a literal `type`: one object per kind.
  const kind =
    type === "password"
      ? { type: "password" as const }
      : type === "email"
        ? { type: "email" as const }
        : type === "tel"
          ? { type: "tel" as const }
          : { type: "text" as const };
  return (
    <div class={error === undefined ? "field" : "field field-invalid"}>
      <label for={id}>{label}</label>
      <input
        id={id}
        {...kind}
        value={value}
        autocomplete={rest.autocomplete}
        inputMode={rest.inputMode}
        required={rest.required}
        minLength={rest.minLength}
        maxLength={rest.maxLength}
        pattern={rest.pattern}
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy(id, hint, error)}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
      {hint === undefined ? null : (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      <FieldError id={id} error={error} />
    </div>
  );
}
