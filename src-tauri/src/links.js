// Injected into the app's windows (main and editor). A click on a link that
// opens a new window (target="_blank") must reach the window's new-window
// policy, which asks before handing the link to the system browser.
// tauri-plugin-shell's own page script catches such clicks first and asks
// the shell plugin to open the link — a permission this app grants to no
// window — so the link silently did nothing. Stopping the click here, in
// the capture phase, leaves the browser's default action (a new window,
// refused and offered by the app) in place.
window.addEventListener(
  "click",
  (event) => {
    const link = event.target instanceof Element ? event.target.closest("a") : null;
    if (link && link.target === "_blank" && /^https?:/i.test(link.href)) {
      event.stopPropagation();
    }
  },
  true,
);
