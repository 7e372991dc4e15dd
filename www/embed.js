// The iframe page: one widget running the scenario its fragment carries (and, for a link made
// in compare mode, the variant beside it).
import { loadCore } from "./widget/tcp-playground.js";

const widget = document.getElementById("main");
const params = new URLSearchParams(location.search);
for (const name of ["lang", "controls", "max-events", "start"]) {
  if (params.has(name)) widget.setAttribute(name, params.get(name));
}

async function open() {
  const Playground = await loadCore();
  const banner = document.getElementById("error");
  banner.hidden = true;
  if (location.hash.length <= 1) return widget.setAttribute("scenario", "preset:handshake");
  try {
    const target = Playground.openLink(location.hash);
    const errors = [...(target.preset ? [] : Playground.checkScenario(target.text)),
      ...(target.compare ? Playground.checkScenario(target.compare) : [])];
    if (errors.length > 0) throw new Error(errors[0].rendered.split("\n")[0]);
    // A link made in compare mode shows both variants side by side.
    if (target.compare) widget.setAttribute("compare", target.compare);
    else widget.removeAttribute("compare");
    widget.setAttribute("scenario", target.preset ? `preset:${target.preset}` : target.text);
  } catch (err) {
    banner.textContent = `This link could not be opened: ${err?.message ?? err}. Showing the handshake instead.`;
    banner.hidden = false;
    widget.removeAttribute("compare");
    widget.setAttribute("scenario", "preset:handshake");
  }
}

window.addEventListener("hashchange", open);
open();
