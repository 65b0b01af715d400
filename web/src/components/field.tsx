interface FieldProps {
  id: string;
  label: string;
  value: string;
  onValue: (value: string) => void;
  /** Read with the input, below it. */
  hint?: string;
  type?: "text" | "email" | "password";
  autocomplete?: string;
  inputMode?: "text" | "numeric" | "email";
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** A labelled text input. */
export function Field({ id, label, value, onValue, hint, type = "text", ...rest }: FieldProps) {
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
        aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        onInput={(event) => onValue(event.currentTarget.value)}
      />
      {hint === undefined ? null : (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
    </div>
  );
}
