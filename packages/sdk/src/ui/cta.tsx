import type { EligibleMessage } from '@hark/protocol';
import { safeUrl } from './checks.js';
import { safe, Text, type KindProps } from './frame.js';

/**
 * A button that takes the visitor to the message's URL, in this tab or a new one. Only an
 * http(s) URL gets a button (the controller does not show a cta without one). The click is
 * recorded before the page goes, through the App's persisted queue, so leaving loses nothing.
 */
export function CallToAction({ message, click }: KindProps<Extract<EligibleMessage, { kind: 'cta' }>>) {
  const { content } = message;
  const url = safeUrl(content.url);
  if (!url) return <Text message={message} />;
  const newTab = content.newTab;

  const go = safe((event: MouseEvent) => {
    // Navigation happens here rather than by the link: closing the message takes the link out of
    // the page, and a link no longer in the page navigates nowhere.
    event.preventDefault();
    click();
    if (newTab || event.ctrlKey || event.metaKey || event.shiftKey) open(url, '_blank', 'noopener,noreferrer');
    else location.assign(url);
  });

  return (
    <>
      <Text message={message} />
      <div class="hark-actions hark-controls">
        <a class="hark-button" href={url} target={newTab ? '_blank' : undefined} rel={newTab ? 'noopener noreferrer' : undefined} onClick={go}>
          {content.buttonLabel || 'Learn more'}
        </a>
      </div>
    </>
  );
}
