// The page's whole behaviour, on the public API only (docs/api.md): list the models, submit a job,
// follow it, show and offer the result. No framework and no build step: the gateway serves this file as it is.
"use strict";

const KEY_STORAGE = "n2n.apiKey";
// bigger files go straight to storage through a presigned upload; smaller ones in a multipart body
const UPLOAD_OVER_BYTES = 8 * 1024 * 1024;
// progress is updated about once a second; a job's answer is asked for at least this often
const POLL_INTERVAL_MS = 700;
const FINAL_STATUSES = new Set(["succeeded", "failed", "canceled", "expired"]);
const EXTENSIONS = { "image/png": "png", "image/jpeg": "jpg", "image/bmp": "bmp", "image/gif": "gif", "image/tiff": "tif" };

const $ = (id) => document.getElementById(id);

/** A refusal or failure to show as it is: the server's own words where it gave some. */
class Refusal extends Error {}

let chosenFile = null;
let followedJobId = null;
let resultUrl = null;
let models = new Map();

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) || "";
}

/** A call of the gateway's API, with the key the person typed (never in the URL). */
function api(method, path, { body, headers = {} } = {}) {
  const key = apiKey();
  const all = key ? { ...headers, Authorization: `Bearer ${key}` } : headers;
  return fetch(path, { method, body, headers: all, cache: "no-store" });
}

/** The refusal a response carries: every /v1 error is problem+json with a `detail` for people. */
async function refusal(response) {
  let text = `${response.status} ${response.statusText}`.trim();
  try {
    const problem = await response.json();
    if (problem && (problem.detail || problem.title)) {
      text = `${response.status}: ${problem.detail || problem.title}`;
    }
  } catch {
    // no JSON body: the status line is all there is
  }
  return new Refusal(text);
}

async function expectJson(response) {
  if (!response.ok) {
    throw await refusal(response);
  }
  return response.json();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function showMessage(text) {
  $("message").textContent = text;
  $("message").hidden = !text;
}

function setState(text) {
  $("state").textContent = text;
}

async function loadModels() {
  const select = $("model");
  let listed = [];
  let note = "";
  try {
    const response = await api("GET", "/v1/models");
    if (response.ok) {
      listed = (await response.json()).models || [];
    } else if (response.status === 401) {
      note = "Enter the API key to see the models.";
    } else if (response.status !== 404) {
      // 404: a gateway without the catalogue; its default model is all there is to choose
      note = `The models could not be listed (${(await refusal(response)).message}).`;
    }
  } catch (error) {
    note = `The models could not be listed: ${error.message}`;
  }
  models = new Map(listed.map((model) => [model.name, model]));
  select.replaceChildren();
  if (listed.length === 0) {
    select.append(new Option("default model", ""));
  }
  for (const model of listed) {
    const label = model.name + (model.default ? " (default)" : "") + (model.available ? "" : " (no worker running now)");
    const option = new Option(label, model.name, model.default, model.default);
    option.dataset.available = String(Boolean(model.available));
    select.append(option);
  }
  describeModel(note);
}

function describeModel(note = "") {
  const model = models.get($("model").value);
  const card = model?.card;
  if (!card) {
    $("model-card").textContent = note;
    return;
  }
  const facts = [];
  if (card.noise) facts.push(`noise ${card.noise}`);
  if (card.channels) facts.push(card.channels === 1 ? "grey" : `${card.channels} channels`);
  if (card.architecture) facts.push(card.architecture);
  const validation = card.validation;
  if (validation?.psnr_noisy !== undefined && validation?.psnr_model !== undefined) {
    facts.push(`PSNR ${validation.psnr_noisy} → ${validation.psnr_model} dB`);
  }
  if (!model.available) facts.push("queued until a worker that runs it starts");
  $("model-card").textContent = facts.join(" · ");
}

function chooseFile(file) {
  if (!file) return;
  chosenFile = file;
  $("drop-text").textContent = `${file.name} (${formatBytes(file.size)}): drop or click for another`;
  $("submit").disabled = followedJobId !== null;
  showMessage("");
  clearResult();
  replaceUrl($("before"), URL.createObjectURL(file));
}

function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function replaceUrl(image, url) {
  if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
  image.src = url;
}

function clearResult() {
  $("compare").hidden = true;
  $("download").hidden = true;
  $("job-info").textContent = "";
  $("after").removeAttribute("src");
  if (resultUrl) URL.revokeObjectURL(resultUrl);
  resultUrl = null;
}

async function createJob(file) {
  const model = $("model").value;
  const strength = $("strength").value;
  if (file.size <= UPLOAD_OVER_BYTES) {
    const form = new FormData();
    form.append("file", file, file.name);
    if (model) form.append("model", model);
    form.append("strength", strength);
    setState("sending…");
    return expectJson(await api("POST", "/v1/jobs", { body: form }));
  }
  setState("uploading to storage…");
  const slot = await expectJson(await api("POST", "/v1/uploads"));
  let stored;
  try {
    stored = await fetch(slot.url, { method: slot.method, body: file });
  } catch {
    throw new Refusal(`This browser could not upload to storage at ${new URL(slot.url).origin}: it must be reachable `
      + `from here and allow this page's origin (CORS). Files up to ${formatBytes(UPLOAD_OVER_BYTES)} go through the gateway.`);
  }
  if (!stored.ok) {
    throw new Refusal(`Storage refused the upload: ${stored.status} ${stored.statusText}`);
  }
  const body = { upload_id: slot.upload_id, strength: Number(strength) };
  if (model) body.model = model;
  return expectJson(await api("POST", "/v1/jobs", {
    body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  }));
}

function showProgress(job) {
  const progress = $("progress");
  progress.hidden = false;
  if (job.progress?.total) {
    progress.max = job.progress.total;
    progress.value = job.progress.done;
    setState(`${job.status}: ${job.progress.done} of ${job.progress.total} tiles`);
  } else {
    progress.removeAttribute("value");
    setState(job.status);
  }
}

/** Polls the job until it ends; `Prefer: wait` lets a gateway that can hold the poll answer at the change. */
async function follow(job) {
  while (!FINAL_STATUSES.has(job.status)) {
    showProgress(job);
    const asked = performance.now();
    const response = await api("GET", `/v1/jobs/${encodeURIComponent(job.id)}`, { headers: { Prefer: "wait=1" } });
    if (response.status === 429 || response.status === 503) {
      // the key's rate limit or storage trouble: ask again when told to
      const seconds = Math.min(Number(response.headers.get("Retry-After")) || 1, 10);
      setState(`${job.status} (the gateway asks to wait ${seconds} s)`);
      await sleep(seconds * 1000);
      continue;
    }
    job = await expectJson(response);
    const left = POLL_INTERVAL_MS - (performance.now() - asked);
    if (left > 0 && !FINAL_STATUSES.has(job.status)) await sleep(left);
  }
  return job;
}

async function showResult(job) {
  const response = await api("GET", `/v1/jobs/${encodeURIComponent(job.id)}/result`);
  if (!response.ok) throw await refusal(response);
  const blob = await response.blob();
  resultUrl = URL.createObjectURL(blob);
  $("after").src = resultUrl;
  const base = chosenFile.name.replace(/\.[^.]*$/, "");
  const download = $("download");
  download.href = resultUrl;
  download.download = `${base}-denoised.${EXTENSIONS[blob.type] || "img"}`;
  download.hidden = false;
  const seconds = job.execution_time_ms === undefined ? "" : `, ${(job.execution_time_ms / 1000).toFixed(1)} s`;
  $("job-info").textContent = `job ${job.id}, model ${job.model_used || job.model || "default"}${seconds}`;
  // why the worker chose the model (jobs that named none), on hover
  $("job-info").title = job.model_reason || "";
  $("compare").hidden = false;
}

function setRunning(jobId) {
  followedJobId = jobId;
  $("submit").disabled = jobId !== null || chosenFile === null;
  $("cancel").hidden = jobId === null;
  $("cancel").disabled = false;
  $("file").disabled = jobId !== null;
}

async function submit(event) {
  event.preventDefault();
  if (!chosenFile || followedJobId !== null) return;
  showMessage("");
  clearResult();
  $("submit").disabled = true;
  try {
    const created = await createJob(chosenFile);
    setRunning(created.id);
    const job = await follow(created);
    $("progress").hidden = true;
    if (job.status === "succeeded") {
      setState(`succeeded in ${((job.execution_time_ms || 0) / 1000).toFixed(1)} s`);
      await showResult(job);
    } else {
      setState(job.status);
      showMessage(job.error?.message ? `The job ${job.status}: ${job.error.message}` : `The job ended ${job.status}.`);
    }
  } catch (error) {
    $("progress").hidden = true;
    setState("");
    showMessage(error instanceof Refusal ? error.message : `The gateway could not be reached: ${error.message}`);
  } finally {
    setRunning(null);
  }
}

async function cancel() {
  if (followedJobId === null) return;
  $("cancel").disabled = true;
  const response = await api("POST", `/v1/jobs/${encodeURIComponent(followedJobId)}/cancel`);
  if (!response.ok) {
    showMessage((await refusal(response)).message);
  }
  // a running job stops at its next tile: following it shows when
}

function setSplit(percent) {
  $("after").style.clipPath = `inset(0 0 0 ${percent}%)`;
  $("divider").style.left = `${percent}%`;
}

function start() {
  $("api-key").value = apiKey();
  $("api-key").addEventListener("input", (event) => sessionStorage.setItem(KEY_STORAGE, event.target.value.trim()));
  $("api-key").addEventListener("change", () => loadModels());
  $("forget-key").addEventListener("click", () => {
    sessionStorage.removeItem(KEY_STORAGE);
    $("api-key").value = "";
    loadModels();
  });
  $("file").addEventListener("change", (event) => chooseFile(event.target.files[0]));
  const drop = $("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (followedJobId === null) chooseFile(event.dataTransfer.files[0]);
  });
  $("model").addEventListener("change", () => describeModel());
  $("strength").addEventListener("input", (event) => {
    $("strength-value").textContent = Number(event.target.value).toFixed(2);
  });
  $("split").addEventListener("input", (event) => setSplit(event.target.value));
  $("job-form").addEventListener("submit", submit);
  $("cancel").addEventListener("click", cancel);
  loadModels();
}

start();
