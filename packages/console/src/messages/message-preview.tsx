import { useEffect, useRef, useState } from 'preact/hooks';
import type { EligibleMessage } from '@hark/protocol';

/** How long the form must be still before the preview is redrawn. */
const SETTLE_MS = 250;

/**
 * The message as a visitor would see it, drawn by the real message UI: /hark-ui.js from this
 * collector, loaded into a blank frame of the chosen width and handed the message through the
 * bridge the App's core uses (packages/sdk/src/core/messages.ts): the script tag itself, whose
 * queue `q` holds poll answers. Interactions go nowhere: its `t` (track) and `e` (emit) record nothing.
 *
 * Each change draws a fresh frame, so every position and size starts from a clean page. The
 * frame is inert: a modal taking focus in it must not take it from the form being typed in.
 */
export function MessagePreview(props: { message: EligibleMessage; width: 'desktop' | 'phone' }) {
  const [shown, setShown] = useState(props.message);
  useEffect(() => {
    const timer = setTimeout(() => setShown(props.message), SETTLE_MS);
    return () => clearTimeout(timer);
  }, [JSON.stringify(props.message)]);
  return (
    <div class={'preview ' + props.width}>
      <PreviewFrame key={shown.deliveryId + props.width} message={shown} />
    </div>
  );
}

function PreviewFrame(props: { message: EligibleMessage }) {
  const frame = useRef<HTMLIFrameElement>(null);
  useEffect(() => {
    const iframe = frame.current;
    const doc = iframe?.contentDocument;
    if (!iframe || !doc) return;
    doc.open();
    doc.write('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title></head><body></body></html>');
    doc.close();
    const body = doc.body;
    body.style.cssText = 'margin:0;font:15px/1.5 system-ui,sans-serif;background:#f1f5f9;min-height:100vh';
    const page = doc.createElement('div');
    page.style.cssText = 'padding:20px;color:#64748b';
    page.textContent = 'Your site';
    body.append(page);
    const script = Object.assign(doc.createElement('script'), {
      src: '/hark-ui.js',
      q: [[[props.message], undefined]],
      t: () => undefined,
      e: () => undefined,
    });
    doc.head.append(script);
  }, []);
  return <iframe ref={frame} title="Preview of the message, as a visitor sees it" {...{ inert: true }} />;
}
