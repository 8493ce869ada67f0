import type { Page } from 'playwright-core';

/**
 * What a person with old eyes and thick fingers finds wrong on a page, measured in the browser:
 * anything wider than the screen, text too small to read, tap targets too small to hit, broken
 * images. Each finding is one line naming the element (its data-testid, or its tag, class and text).
 *
 * Tappable means: button, [role=button], a[href], input, textarea, select, Taro's switch, checkbox
 * and radio, the H5 tab bar's items, and every element with a click or tap handler: Taro's H5
 * components keep their handlers in the element's own `__events` (a View or Text with onClick
 * leaves no trace in the markup), plain React elements in the props React keeps on the node. A
 * tappable element inside another tappable element that is big enough counts as part of it (the tap
 * lands on the bigger one).
 */
export type AuditLimits = { minTextPx: number; minTabLabelPx: number; minTapPx: number };

export async function auditPage(page: Page, limits: AuditLimits): Promise<string[]> {
  return page.evaluate((lim) => {
    const found: string[] = [];
    const vw = document.documentElement.clientWidth;
    const shown = (el: Element) => {
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) return false;
      return el.checkVisibility({ opacityProperty: true, visibilityProperty: true });
    };
    const name = (el: Element) => {
      const id = el.closest('[data-testid]')?.getAttribute('data-testid');
      const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 24);
      const cls = typeof el.className === 'string' ? el.className.split(/\s+/).filter(Boolean).slice(0, 2).join('.') : '';
      return `${el.tagName.toLowerCase()}${cls ? `.${cls}` : ''}${id ? ` in [${id}]` : ''}${text ? ` "${text}"` : ''}`;
    };
    const clipped = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const ox = getComputedStyle(p).overflowX;
        if (ox === 'auto' || ox === 'scroll' || ox === 'hidden' || ox === 'clip') return true;
      }
      return false;
    };
    const all = Array.from(document.querySelectorAll('body *')).filter(shown);

    if (document.documentElement.scrollWidth > vw + 1) found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide on a ${vw} px screen`);
    for (const el of all) {
      const r = el.getBoundingClientRect();
      if ((r.right > vw + 1 || r.left < -1) && !clipped(el)) found.push(`wider than the screen (${Math.round(r.left)}–${Math.round(r.right)} of ${vw} px): ${name(el)}`);
    }

    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const small = new Set<Element>();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || !(n.textContent ?? '').trim() || small.has(el) || !shown(el) || el.closest('script, style')) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      const min = el.closest('.weui-tabbar') ? lim.minTabLabelPx : lim.minTextPx;
      if (size < min - 0.05) {
        small.add(el);
        found.push(`text of ${size.toFixed(1)} px (at least ${min}): ${name(el)}`);
      }
    }

    const reactProps = (el: Element): Record<string, unknown> | undefined => {
      const key = Object.keys(el).find((k) => k.startsWith('__reactProps$'));
      return key ? ((el as unknown as Record<string, Record<string, unknown>>)[key]) : undefined;
    };
    const SELECTOR = 'button, [role=button], a[href], input:not([type=hidden]), textarea, select, taro-switch-core, taro-checkbox-core, taro-radio-core, .weui-tabbar__item';
    const tappable = all.filter((el) => {
      if (el.matches(SELECTOR)) return true;
      const events = (el as unknown as { __events?: Record<string, unknown> }).__events ?? {};
      if (events.click || events.tap) return true;
      const props = reactProps(el);
      return typeof props?.onClick === 'function' || typeof props?.onTap === 'function';
    });
    const bigEnough = (el: Element) => {
      const r = el.getBoundingClientRect();
      return r.width >= lim.minTapPx - 0.5 && r.height >= lim.minTapPx - 0.5;
    };
    for (const el of tappable) {
      if (bigEnough(el)) continue;
      if (tappable.some((outer) => outer !== el && outer.contains(el) && bigEnough(outer))) continue;
      const r = el.getBoundingClientRect();
      found.push(`tap target ${Math.round(r.width)}×${Math.round(r.height)} px (at least ${lim.minTapPx}×${lim.minTapPx}): ${name(el)}`);
    }

    for (const img of Array.from(document.querySelectorAll('img')).filter(shown)) {
      if (img.complete && img.naturalWidth === 0) found.push(`image failed to load: ${img.getAttribute('src')?.slice(0, 80)}`);
    }
    return found;
  }, limits);
}
