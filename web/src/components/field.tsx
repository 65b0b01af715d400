interface FieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Read with the input, below it. */
  hint?: string;
  /** Why the value was refused: marks the input invalid and is read with it, below the hint. */
  error?: string | undefined;
  type?: "text" | "email" | "password";
  autocomplete?: string;
  inputMode?: "text" | "numeric" | "email";
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** A labelled text input, with its hint and why it was refused, when it was. */
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
        : { type: "text" as const };
  return (
    <div class="field">
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
      {error === undefined ? null : (
        <p id={`${id}-error`} class="error">
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(id: string, hint: string | undefined, error: string | undefined) {
  const ids = [hint === undefined ? "" : `${id}-hint`, error === undefined ? "" : `${id}-error`];
  const joined = ids.filter((part) => part !== "").join(" ");
  return joined === "" ? undefined : joined;
}
