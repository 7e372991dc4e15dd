// The base of the articles' companion elements (<tcp-header-diagram>, <tcp-state-diagram>):
// it finds the <tcp-playground> its `for` attribute names (now, once the document is parsed,
// or when that widget first reports a change), listens to it, and rebuilds when `lang`
// changes. A subclass draws: build(), refresh(), showMissing(id), and the widget events it
// wants in handlers().

export class WidgetFollower extends HTMLElement {
  static observedAttributes = ["for", "lang"];

  #widget = null;
  #built = false;
  #handlers = null;
  #onLateWidget = (e) => {
    if (this.#widget || !this.isConnected || e.target?.id !== this.getAttribute("for")) return;
    this.#detach();
    this.#attach();
  };

  /** The widget followed, or null. */
  get widget() {
    return this.#widget;
  }

  /** The words' language: the `lang` attribute, else the page's; `en` or `zh`. */
  get language() {
    return String(this.getAttribute("lang") ?? document.documentElement.lang ?? "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  connectedCallback() {
    if (!this.#built) {
      this.build();
      this.#built = true;
    }
    this.#attach();
  }

  disconnectedCallback() {
    this.#detach();
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this.#built) return;
    if (name === "lang") {
      this.build();
      this.refresh();
    } else {
      this.#detach();
      this.#attach();
    }
  }

  #attach() {
    const id = this.getAttribute("for");
    const widget = id ? document.getElementById(id) : null;
    if (!widget) {
      // The widget may come later in the document than this element.
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", () => this.isConnected && !this.#widget && this.#attach(), { once: true });
      }
      // Or it is added later: its first `change` bubbles up to the document.
      document.addEventListener("change", this.#onLateWidget);
      this.showMissing(id ?? "");
      return;
    }
    this.#widget = widget;
    this.#handlers = this.handlers();
    for (const [type, fn] of Object.entries(this.#handlers)) widget.addEventListener(type, fn);
    this.refresh();
  }

  #detach() {
    document.removeEventListener("change", this.#onLateWidget);
    for (const [type, fn] of Object.entries(this.#handlers ?? {})) this.#widget?.removeEventListener(type, fn);
    this.#widget = null;
    this.#handlers = null;
  }
}
