import type { ComponentChildren } from "preact";

/**
 * A wide table on a phone scrolls sideways inside this named region, never the page; it takes
 * focus, or a keyboard alone could not scroll it.
 */
export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must take focus, or a keyboard cannot scroll it (axe: scrollable-region-focusable)
    <section class="table-scroll" tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
