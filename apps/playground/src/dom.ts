/** A tiny DOM helper: the playground uses no framework, only elements built with `h`. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/**
 * Creates an element: attributes (`on…` functions become listeners, `true` a bare attribute), then children.
 * @example h("button", { "data-testid": "go", onclick: () => run() }, "Go")
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, ...children);
  return el;
}

/** Appends children, skipping empty ones. */
export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? document.createTextNode(String(child)) : child);
  }
}

/** A `<select>` with options; `value` picks the selected one. */
export function select(attrs: Attrs, options: readonly (string | readonly [value: string, label: string])[], value?: string): HTMLSelectElement {
  const el = h("select", attrs);
  setOptions(el, options, value);
  return el;
}

/** Replaces a `<select>`'s options, keeping `value` (or the current one) selected when present. */
export function setOptions(el: HTMLSelectElement, options: readonly (string | readonly [value: string, label: string])[], value = el.value): void {
  el.replaceChildren(
    ...options.map((o) => {
      const [v, label] = typeof o === "string" ? [o, o] : o;
      return h("option", { value: v }, label);
    }),
  );
  if ([...el.options].some((o) => o.value === value)) el.value = value;
}

/** A labelled field. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLLabelElement {
  return h("label", { class: "field" }, h("span", { class: "field-label" }, label), control, hint ? h("small", {}, hint) : null);
}

/** Formats milliseconds for display. */
export function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 1 : 0)} ms`;
}
