/**
 * The UI's only stylesheet, inside its shadow root. Page CSS cannot reach in (shadow DOM), and
 * `:host { all: initial !important }` stops what would still be inherited through the host:
 * inside a shadow tree an `!important` :host rule beats the page's `!important` rules.
 *
 * Colours come from the message as `--hark-*` custom properties, set on each frame.
 */
export const CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;top:0!important;left:0!important;width:0!important;height:0!important;margin:0!important;overflow:visible!important;visibility:visible!important;opacity:1!important;transform:none!important;filter:none!important;z-index:2147483647!important}
*,*::before,*::after{box-sizing:border-box}
.hark-region{position:fixed;display:flex;flex-direction:column;gap:12px;max-width:calc(100vw - 32px);pointer-events:none}
.hark-region>*{pointer-events:auto}
.hark-top_left{top:16px;left:16px}
.hark-top_right{top:16px;right:16px;align-items:flex-end}
.hark-bottom_left{bottom:16px;left:16px}
.hark-bottom_right{bottom:16px;right:16px;align-items:flex-end}
.hark-top,.hark-bottom{left:0;right:0;max-width:none}
.hark-top{top:0}
.hark-bottom{bottom:0}
.hark-frame{position:relative;display:block;max-width:100%;padding:18px 20px;border:1px solid rgba(15,23,42,.08);border-radius:12px;background:var(--hark-bg,#fff);color:var(--hark-fg,#1f2937);font:400 15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;text-align:left;-webkit-font-smoothing:antialiased;box-shadow:0 12px 32px rgba(15,23,42,.16),0 2px 6px rgba(15,23,42,.08);animation:hark-in .2s ease-out}
.hark-toast{width:360px}
.hark-toast.hark-small{width:300px;padding:14px 16px;font-size:14px}
.hark-toast.hark-large{width:440px;padding:22px 24px;font-size:16px}
.hark-bar{width:100%;padding:12px 60px;border-width:0;border-radius:0;box-shadow:0 2px 12px rgba(15,23,42,.14)}
.hark-bar.hark-small{padding-top:8px;padding-bottom:8px;font-size:14px}
.hark-bar.hark-large{padding-top:16px;padding-bottom:16px;font-size:16px}
.hark-bar .hark-inner{display:flex;flex-wrap:wrap;align-items:center;justify-content:center;gap:10px 24px;max-width:1120px;margin:0 auto}
.hark-bar .hark-controls{margin:0}
.hark-bar .hark-field{width:360px;max-width:100%}
.hark-bar .hark-grade{flex:none;width:44px}
.hark-backdrop{position:fixed;inset:0;display:flex;align-items:center;justify-content:center;padding:16px;background:rgba(15,23,42,.5);animation:hark-fade .2s ease-out}
.hark-modal{width:440px;padding:26px 28px 24px;border-radius:16px;box-shadow:0 24px 64px rgba(15,23,42,.3)}
.hark-modal.hark-small{width:360px;padding:22px 22px 20px}
.hark-modal.hark-large{width:560px;padding:30px 32px 28px;font-size:16px}
.hark-modal .hark-title{font-size:1.25em;margin-bottom:6px}
.hark-title{margin:0 32px 4px 0;font-weight:650;font-size:1.0667em;line-height:1.35;letter-spacing:-.01em}
.hark-body{margin:0 32px 0 0;opacity:.9;white-space:pre-line}
.hark-title+.hark-body{margin-right:0}
.hark-bar .hark-title,.hark-bar .hark-body{display:inline;margin:0}
.hark-bar .hark-title+.hark-body{margin-left:.5em}
.hark-controls{margin-top:14px}
.hark-field{display:flex;gap:8px}
.hark-actions{display:flex;justify-content:flex-end;margin-top:12px}
.hark-bar .hark-actions{margin:0}
.hark-button{display:inline-flex;align-items:center;justify-content:center;min-height:38px;padding:8px 16px;border:0;border-radius:8px;background:var(--hark-btn,#2563eb);color:var(--hark-btn-fg,#fff);font:inherit;font-weight:600;line-height:1.2;text-decoration:none;white-space:nowrap;cursor:pointer}
.hark-button:hover{filter:brightness(1.08)}
.hark-button:disabled{opacity:.45;cursor:default;filter:none}
.hark-input,.hark-textarea{flex:1;min-width:0;width:100%;min-height:38px;margin:0;padding:8px 12px;border:1px solid rgba(127,127,127,.45);border-radius:8px;background:transparent;color:inherit;font:inherit}
.hark-input::placeholder,.hark-textarea::placeholder{color:inherit;opacity:.55}
.hark-input:focus-visible,.hark-textarea:focus-visible{outline-color:var(--hark-btn,#2563eb);outline-offset:-1px;border-color:var(--hark-btn,#2563eb)}
.hark-input[aria-invalid=true]{border-color:#dc2626}
.hark-textarea{display:block;min-height:64px;resize:vertical}
.hark-error{margin:8px 0 0;font-size:.9em;font-weight:600}
.hark-scale{display:flex;gap:6px}
.hark-grade{flex:1;min-width:0;height:40px;margin:0;padding:0;border:1px solid rgba(127,127,127,.4);border-radius:8px;background:transparent;color:inherit;font:inherit;font-weight:600;cursor:pointer}
.hark-grade:hover{border-color:var(--hark-btn,#2563eb)}
.hark-grade[aria-checked=true]{border-color:var(--hark-btn,#2563eb);background:var(--hark-btn,#2563eb);color:var(--hark-btn-fg,#fff)}
.hark-scale-labels{display:flex;justify-content:space-between;gap:12px;margin-top:6px;font-size:.8em;opacity:.75}
.hark-followup{display:block;margin:14px 0 6px;font-weight:600;font-size:.95em}
.hark-close{position:absolute;top:10px;right:10px;display:flex;align-items:center;justify-content:center;width:32px;height:32px;margin:0;padding:0;border:0;border-radius:8px;background:transparent;color:inherit;opacity:.6;cursor:pointer}
.hark-close:hover{opacity:1;background:rgba(127,127,127,.16)}
.hark-bar .hark-close{top:50%;right:14px;margin-top:-16px}
.hark-close svg{display:block;width:16px;height:16px}
:focus{outline:none}
:focus-visible{outline:2px solid var(--hark-fg,#1f2937);outline-offset:2px}
.hark-close:focus-visible{opacity:1}
@keyframes hark-in{from{opacity:0;transform:translateY(6px)}}
@keyframes hark-fade{from{opacity:0}}
@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important}}
`;
