// Loaded first by index.html: no script of the app's own page (the wasm UI,
// xterm.js) can pollute Object.prototype. Done here for the main window only
// rather than by Tauri's freezePrototype, which injects the freeze into every
// webview the app opens — VS Code's workbench in a code-server window stopped
// at a frozen prototype and stayed a blank page that never connected.
Object.freeze(Object.prototype);
