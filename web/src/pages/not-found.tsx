import { usePageTitle } from "../load.js";

export function NotFoundPage({ what = "page" }: { what?: string }) {
  usePageTitle("Not found");
  return (
    <section class="panel not-found">
      <h1 tabIndex={-1}>{what === "page" ? "Page not found" : `This ${what} was not found`}</h1>
      <p>
        It may have moved, or it was never here. <a href="/">Back to the shop</a>.
      </p>
    </section>
  );
}
