import type { OrderStatus } from "../api/types.js";
import { STATUS_TEXT } from "../format.js";

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{STATUS_TEXT[status]}</span>;
}

const STEPS: readonly OrderStatus[] = ["PLACED", "PROCESSING", "COMPLETED", "SHIPPED", "DELIVERED"];

/**
 * PLACED → PROCESSING → COMPLETED (paid) → SHIPPED → DELIVERED, or FAILED after PROCESSING, with
 * the current one marked.
 */
export function StatusSteps({ status }: { status: OrderStatus }) {
  const steps =
    status === "FAILED"
      ? (["PLACED", "PROCESSING", "FAILED"] as const)
      : status === "CANCELLED"
        ? (["PLACED", "CANCELLED"] as const)
        : STEPS;
  const reached = steps.indexOf(status);
  return (
    <ol class="steps">
      {steps.map((step, index) => (
        <li
          key={step}
          class={`step${index <= reached ? " step-done" : ""}${step === "FAILED" || step === "CANCELLED" ? " step-failed" : ""}`}
          aria-current={index === reached ? "step" : undefined}
        >
          {STATUS_TEXT[step]}
        </li>
      ))}
    </ol>
  );
}
