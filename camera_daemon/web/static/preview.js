// The preview page: one tile per camera, refreshed at the preview rate, and the session header.
// Everything comes from this server (no CDN); the token, when the URL carries one, rides along.
"use strict";
const rate = Number(document.querySelector('meta[name="camd-rate"]').content) || 10;
const mode = document.querySelector('meta[name="camd-mode"]').content;
const token = new URLSearchParams(location.search).get("token");
const headers = token ? { "X-Camd-Token": token } : {};
const tiles = new Map();
let finished = false;

function withToken(url) {
  return token ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : url;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return "-";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(r).padStart(2, "0");
}

// A span of time in words ("11 h 21 min", "45 min", "30 s"): h:mm reads like mm:ss.
function span(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return "-";
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  if (h) return h + " h " + m + " min";
  return m ? m + " min" : s + " s";
}

function bytes(n) {
  if (n === null || n === undefined) return "-";
  return n >= 2 ** 30 ? (n / 2 ** 30).toFixed(1) + " GiB" : (n / 2 ** 20).toFixed(0) + " MiB";
}

function makeTile(name) {
  const tile = document.createElement("div");
  tile.className = "tile";
  tile.dataset.camera = name;
  const img = document.createElement("img");
  img.className = "frame";
  img.alt = name;
  const caption = document.createElement("div");
  caption.className = "caption";
  caption.innerHTML = '<span class="name"></span><span class="stats"></span><div class="analysis"></div>';
  caption.querySelector(".name").textContent = name;
  tile.append(img, caption);
  document.getElementById("tiles").append(tile);
  const entry = { tile, img, url: null };
  tiles.set(name, entry);
  refreshFrame(name, entry);
  return entry;
}

// Each tile asks for its next frame only after the last one arrived: a slow link lowers the
// rate instead of piling up requests.
async function refreshFrame(name, entry) {
  const started = performance.now();
  if (!finished) {
    try {
      const reply = await fetch(withToken("/api/cameras/" + encodeURIComponent(name) + "/frame.jpg"), { cache: "no-store" });
      if (reply.ok) {
        const url = URL.createObjectURL(await reply.blob());
        entry.img.src = url;
        await entry.img.decode().catch(() => {});
        if (entry.url) URL.revokeObjectURL(entry.url);
        entry.url = url;
        entry.img.dataset.frameIndex = reply.headers.get("X-Frame-Index");
      }
    } catch (error) { /* the next status poll says what is wrong */ }
  }
  const wait = Math.max(0, 1000 / rate - (performance.now() - started));
  setTimeout(() => refreshFrame(name, entry), finished ? 1000 : wait);
}

function showStatus(data) {
  document.getElementById("session").textContent = data.session ? data.session.split("/").pop() : "camd";
  const state = document.getElementById("state");
  state.textContent = data.state;
  state.className = "state " + data.state;
  document.getElementById("elapsed").textContent = duration(data.uptime_s);
  document.getElementById("disk").textContent = bytes(data.disk_free_bytes);
  document.getElementById("left").textContent = span(data.disk_seconds_left);
  const live = data.state === "recording" || data.state === "paused";
  document.getElementById("pause").disabled = mode !== "recording" || data.state !== "recording";
  document.getElementById("resume").disabled = mode !== "recording" || data.state !== "paused";
  document.getElementById("stop").disabled = !live;
  for (const camera of data.cameras || []) {
    const entry = tiles.get(camera.name) || makeTile(camera.name);
    const bad = camera.state === "lost" || camera.state === "failed";
    entry.tile.classList.toggle("bad", bad);
    entry.tile.dataset.state = camera.state;
    entry.tile.querySelector(".stats").textContent =
      `${camera.fps_current.toFixed(1)} fps · ${camera.frames_written} frames · ` +
      `${camera.drops_total} drops · ring ${camera.ring_depth}/${camera.ring_capacity}` + (bad ? " · " + camera.state : "");
    entry.tile.querySelector(".analysis").textContent = analysisText(camera);
  }
  document.getElementById("message").textContent = data.error || "";
}

// The analysis callback's state and newest result, as text (never HTML: a callback chose the keys).
function analysisText(camera) {
  if (!camera.analysis || camera.analysis === "off") return "";
  const latency = camera.analysis_latency_ms === null || camera.analysis_latency_ms === undefined
    ? "-" : camera.analysis_latency_ms.toFixed(1) + " ms";
  const last = Object.entries(camera.analysis_last || {})
    .map(([key, value]) => key + "=" + (typeof value === "number" && !Number.isInteger(value) ? value.toFixed(3) : String(value)));
  return `analysis ${camera.analysis} · ${camera.analysis_skipped} skipped · ${latency}` + (last.length ? " · " + last.join(" ") : "");
}

async function pollStatus() {
  try {
    const reply = await fetch(withToken("/api/status"), { cache: "no-store", headers });
    const data = await reply.json();
    if (!reply.ok) throw new Error(data.error || reply.statusText);
    showStatus(data);
  } catch (error) {
    finished = true;
    const state = document.getElementById("state");
    state.textContent = "disconnected";
    state.className = "state disconnected";
    for (const id of ["pause", "resume", "stop"]) document.getElementById(id).disabled = true;
    return;
  }
  setTimeout(pollStatus, 500);
}

async function act(action) {
  if (action === "stop" && !confirm("Stop recording? Every camera stops and its files are made final.")) return;
  const reply = await fetch("/api/" + action, { method: "POST", headers });
  const data = await reply.json().catch(() => ({}));
  document.getElementById("message").textContent = reply.ok ? "" : (data.error || reply.statusText);
}

for (const action of ["pause", "resume", "stop"]) {
  document.getElementById(action).addEventListener("click", () => act(action));
}
pollStatus();
