import { useEffect, useState } from "preact/hooks";
import { type ApiError, asApiError } from "../api/problem.js";
import { type Loaded, useLoad } from "../load.js";

// The shop's shipping and tax settings are documents the API saves whole, with the version they
// were read at (docs/operators.md). Their pages read one, change one item of it in a form, and
// save the whole of it; what the API refuses is told next to the field it names.

export interface SettingsDocument<T> {
  current: Loaded<T>;
  /**
   * Saves what `write` sends and shows the document the API answers. A SETTINGS_CHANGED refusal
   * (someone saved since this page read it) reads the document again; every refusal is thrown on.
   */
  save: (write: () => Promise<T>) => Promise<T>;
  reload: () => void;
}

export function useSettingsDocument<T>(read: () => Promise<T>, key: string): SettingsDocument<T> {
  const [loaded, reload] = useLoad(read, key);
  // The answer of the last save, until the document is read again.
  const [saved, setSaved] = useState<T | null>(null);
  useEffect(() => setSaved(null), [loaded]);
  const save = async (write: () => Promise<T>) => {
    try {
      const value = await write();
      setSaved(value);
      return value;
    } catch (failure) {
      const error = asApiError(failure);
      if (error.code === "SETTINGS_CHANGED") reload();
      throw error;
    }
  };
  return { current: saved === null ? loaded : { state: "ready", value: saved }, save, reload };
}

/** What a page says when a save met SETTINGS_CHANGED: the document it shows was read again. */
const settingsChanged = (what: string): string =>
  `Someone else saved the ${what} after this page read them. They are shown again as saved ` +
  "now: check your change and save it again.";

/** What a form says when a field's value was refused, by the page or the API. */
export const CHECK_FIELDS = "Not saved: check the fields marked above.";

/** A form's outcome: what it did, or why not, and the messages of its fields by input id. */
export interface Outcome {
  done: string;
  error: ApiError | string | null;
  fields: Record<string, string>;
}

const NOTHING: Outcome = { done: "", error: null, fields: {} };

/**
 * The outcome of a form that saves a settings document called `what` ("shipping settings").
 * A refusal's fields go next to the inputs `place` names for them (an input's id, or undefined
 * for a field the form does not show, which is told with the refusal instead), and the first
 * such input takes the focus, so a keyboard user lands where the change is needed.
 */
export function useOutcome(what: string) {
  const [outcome, setOutcome] = useState<Outcome>(NOTHING);
  const [focus, setFocus] = useState<{ id: string } | null>(null);
  useEffect(() => {
    if (focus !== null) document.getElementById(focus.id)?.focus();
  }, [focus]);

  const refuse = (error: ApiError | string, fields: Record<string, string> = {}) => {
    setOutcome({ done: "", error, fields });
    const first = Object.keys(fields)[0];
    if (first !== undefined) setFocus({ id: first });
  };

  return {
    outcome,
    clear: () => setOutcome(NOTHING),
    succeed: (done: string) => setOutcome({ ...NOTHING, done }),
    refuse,
    fail(failure: unknown, place: (field: string) => string | undefined) {
      const error = asApiError(failure);
      if (error.code === "SETTINGS_CHANGED") return refuse(settingsChanged(what));
      const fields: Record<string, string> = {};
      const elsewhere: string[] = [];
      for (const { field, message } of error.fields) {
        const id = place(field);
        if (id === undefined) elsewhere.push(`${field} ${message}`);
        else fields[id] = fields[id] === undefined ? message : `${fields[id]}; ${message}`;
      }
      if (elsewhere.length > 0) refuse(`${error.detail}: ${elsewhere.join("; ")}`, fields);
      else refuse(error.fields.length === 0 ? error : CHECK_FIELDS, fields);
    },
  };
}
