import { render } from 'preact';
import { createApiClient } from './api/client.js';
import { App } from './app.js';
import { CSS } from './styles.js';

/**
 * The console's entry (console.js). Styles go in as a constructable stylesheet, which a strict
 * CSP allows without 'unsafe-inline'; a <style> element where those are missing.
 */
try {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
} catch {
  const style = document.createElement('style');
  style.textContent = CSS;
  document.head.append(style);
}
render(<App api={createApiClient()} />, document.getElementById('app')!);
