// The element builder every page uses instead of HTML strings (no innerHTML: nothing a server
// or a citizen typed is ever parsed as markup).

/**
 * Create an element: h('li', {class: 'x', dataset: {id: 1}, onclick: f}, child, 'text').
 * null, undefined and false attributes or children are left out; true makes an empty attribute.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    // Through the CSSOM: a style attribute would be inline style, which the CSP forbids.
    else if (k === 'style') el.style.cssText = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  el.append(...children.flat(Number.POSITIVE_INFINITY).filter((c) => c != null && c !== false));
  return el;
}

/** Replace everything inside `el` with `children`. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat(Number.POSITIVE_INFINITY).filter((c) => c != null && c !== false));
  return el;
}
