import { CSS } from './styles.js';

/**
 * The UI's place in the page: a `<hark-messages>` element at the end of `<body>` with an open
 * shadow root, styled by a constructable stylesheet, which strict CSPs allow. Where those are
 * missing, a `<style>` carrying the page's CSP nonce takes its place. Preact renders into the
 * returned element inside the shadow root.
 */
export function mountHost(nonce?: string): HTMLElement {
  const host = document.createElement('hark-messages');
  const root = host.attachShadow({ mode: 'open' });
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement('style');
    if (nonce) style.nonce = nonce;
    style.textContent = CSS;
    root.append(style);
  }
  const container = document.createElement('div');
  root.append(container);
  (document.body || document.documentElement).append(host);
  return container;
}
