// Runs the flood benchmark in the browser and shows events per second. `?run` starts it on
// load (the end-to-end test does that); the figure is also written to the console.
import init, { Playground } from "../pkg/tcp_playground.js";

const result = document.getElementById("result");
const button = document.getElementById("run");
const RUNS = 5;

async function run() {
  button.disabled = true;
  result.textContent = "running…";
  const text = await (await fetch("flood.scn")).text();
  // The fastest of five runs, as cargo bench reports it.
  let seconds = Infinity;
  let events = 0;
  let stop = "";
  for (let i = 0; i < RUNS; i++) {
    const pg = Playground.fromScenario(text);
    const start = performance.now();
    stop = pg.runToEnd();
    seconds = Math.min(seconds, (performance.now() - start) / 1000);
    events = pg.eventsProcessed();
    pg.free();
  }
  const line = `flood: ${events} events in ${seconds.toFixed(2)} s (best of ${RUNS}) = ${(events / seconds / 1e6).toFixed(2)} M events/s (${stop})`;
  result.textContent = line;
  result.dataset.events = String(events);
  result.dataset.seconds = String(seconds);
  console.log(line);
  button.disabled = false;
}

await init({ module_or_path: new URL("../pkg/tcp_playground_bg.wasm", import.meta.url) });
button.disabled = false;
button.addEventListener("click", run);
if (new URLSearchParams(location.search).has("run")) await run();
