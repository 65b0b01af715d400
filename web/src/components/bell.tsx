import { useEffect, useRef, useState } from "preact/hooks";
import { STATUS_TEXT } from "../format.js";
import { markAllRead, notices } from "../live/bell.js";
import { useStore } from "../state.js";

/** The notifications bell: order updates received in this visit, as a disclosure. */
export function Bell() {
  const list = useStore(notices);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const unread = list.filter((notice) => !notice.read).length;

  useEffect(() => {
    if (!open) return;
    markAllRead();
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent && event.key !== "Escape") return;
      if (event instanceof MouseEvent && root.current?.contains(event.target as Node) === true)
        return;
      setOpen(false);
    };
    document.addEventListener("keydown", close);
    document.addEventListener("click", close);
    return () => {
      document.removeEventListener("keydown", close);
      document.removeEventListener("click", close);
    };
  }, [open, list]);

  const label = unread === 0 ? "Notifications" : `Notifications, ${unread} new`;
  return (
    <div class="bell" ref={root}>
      <button
        type="button"
        class="bell-button"
        ref={button}
        aria-expanded={open}
        aria-controls="bell-panel"
        aria-label={label}
        onClick={() => setOpen(!open)}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" focusable="false">
          <path
            d="M12 3a6 6 0 0 0-6 6v3.6L4.3 16h15.4L18 12.6V9a6 6 0 0 0-6-6Zm-2 15a2 2 0 0 0 4 0"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linejoin="round"
          />
        </svg>
        {unread === 0 ? null : (
          <span class="bell-count" aria-hidden="true">
            {unread}
          </span>
        )}
      </button>
      <div id="bell-panel" class="bell-panel" hidden={!open}>
        <h2 class="bell-title">Order updates</h2>
        {list.length === 0 ? (
          <p class="muted">Nothing yet. Updates of your orders appear here as they happen.</p>
        ) : (
          <ul>
            {list.map((notice) => (
              <li key={`${notice.orderId}-${notice.status}`}>
                <a href={`/account/orders/${encodeURIComponent(notice.orderId)}`}>
                  Order {notice.orderId.slice(0, 8)}: {STATUS_TEXT[notice.status]}
                </a>
                {notice.reason === undefined ? null : <span class="muted"> — {notice.reason}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
