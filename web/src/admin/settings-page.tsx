import type { ComponentChildren } from "preact";
import { ProblemView } from "../components/problem-view.js";
import type { Loaded } from "../load.js";
import { Feedback } from "./feedback.js";
import type { Outcome } from "./settings-document.js";

// The parts the shipping and tax pages share: the page around a settings document, a table
// row's Edit and Remove, and the end of a form that adds an item or edits one.

/** The page `title`, then what `children` draws of the document once it is read. */
export function SettingsPage<T>({
  id,
  title,
  what,
  current,
  reload,
  children,
}: {
  id: string;
  title: string;
  /** "shipping settings", for "Loading the shipping settings…". */
  what: string;
  current: Loaded<T>;
  reload: () => void;
  children: (value: T) => ComponentChildren;
}) {
  return (
    <section aria-labelledby={id}>
      <h1 id={id} tabIndex={-1}>
        {title}
      </h1>
      {current.state === "loading" ? <p aria-busy="true">Loading the {what}…</p> : null}
      {current.state === "error" ? <ProblemView error={current.error} onRetry={reload} /> : null}
      {current.state === "ready" ? children(current.value) : null}
    </section>
  );
}

/** A row's actions; `item` ("the zone Europe") completes their names for a screen reader. */
export function RowActions({
  item,
  onEdit,
  onRemove,
}: {
  item: string;
  onEdit: () => void;
  onRemove: () => void;
}) {
  return (
    <td class="actions">
      <button type="button" class="link-button" onClick={onEdit}>
        Edit<span class="visually-hidden"> {item}</span>
      </button>{" "}
      <button type="button" class="link-button" onClick={onRemove}>
        Remove<span class="visually-hidden"> {item}</span>
      </button>
    </td>
  );
}

/**
 * A form's submit button ("Add zone", or "Save zone" while it edits one), "Stop editing" while
 * it edits, and its outcome.
 */
export function FormEnd({
  kind,
  editing,
  outcome,
  onClose,
}: {
  kind: string;
  editing: boolean;
  outcome: Outcome;
  onClose: () => void;
}) {
  return (
    <>
      <button type="submit" class="button button-primary">
        {editing ? `Save ${kind}` : `Add ${kind}`}
      </button>{" "}
      {editing ? (
        <button type="button" class="button" onClick={onClose}>
          Stop editing
        </button>
      ) : null}
      <Feedback error={outcome.error} done={outcome.done} />
    </>
  );
}
