// The workbench's only script (pages forbid inline script): autosave, keyboard navigation, overrides, regrade.
"use strict";

async function postJSON(url, body) {
  const response = await fetch(url, {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body), credentials: "same-origin",
  });
  const data = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function api(assignment, what) {
  return "/api/a/" + encodeURIComponent(assignment) + "/" + what;
}

// ------------------------------------------------------------------ grade by question
function setupQuestion(root) {
  const assignment = root.dataset.assignment, item = root.dataset.item;
  const answers = Array.from(root.querySelectorAll("section.answer"));
  const left = document.getElementById("left");
  let current = 0;

  function focus(index) {
    if (index < 0 || index >= answers.length) return;
    answers.forEach((a) => a.classList.remove("current"));
    current = index;
    const answer = answers[index];
    answer.classList.add("current");
    answer.scrollIntoView({block: "start"});
    answer.querySelector("input.points").focus({preventScroll: true});
  }

  function nextUngraded() {
    for (let step = 1; step <= answers.length; step++) {
      const index = (current + step) % answers.length;
      if (!answers[index].classList.contains("graded")) return focus(index);
    }
  }

  // Saves go to the server one at a time, in the order they were made: a comment's save on blur (without
  // points yet) and the score's save on Enter, sent together, could be applied in either order, and the
  // later one decides what is stored and how many answers are left.
  let pending = Promise.resolve();
  function save(answer) {
    const saved = pending.then(() => send(answer));
    pending = saved.catch(() => undefined);
    return saved;
  }

  // Reads the fields when its turn comes, so that a queued save sends what the TA sees now.
  async function send(answer) {
    const points = answer.querySelector("input.points"), comment = answer.querySelector("textarea.comment");
    const status = answer.querySelector(".saved");
    const body = {student: answer.dataset.student, item: item, points: points.value === "" ? null : Number(points.value),
                  comment: comment.value};
    const key = JSON.stringify(body);
    if (answer.dataset.lastSaved === key) return;
    status.textContent = "saving…";
    try {
      const data = await postJSON(api(assignment, "manual"), body);
      answer.dataset.lastSaved = key;
      answer.classList.toggle("graded", body.points !== null);
      status.textContent = body.points === null ? "not graded" : "saved";
      answer.querySelector(".total").textContent = String(Math.round(data.total * 10000) / 10000);
      left.textContent = String(data.left);
      left.dataset.left = String(data.left);
    } catch (error) {
      status.textContent = "not saved: " + error.message;
      answer.classList.add("error");
    }
  }

  answers.forEach((answer, index) => {
    const points = answer.querySelector("input.points"), comment = answer.querySelector("textarea.comment");
    answer.addEventListener("focusin", () => { current = index; answers.forEach((a) => a.classList.toggle("current", a === answer)); });
    points.addEventListener("change", () => save(answer));
    let timer = null;
    comment.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => save(answer), 600); });
    comment.addEventListener("blur", () => { clearTimeout(timer); save(answer); });
    points.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); save(answer).then(() => focus(index + 1)); }
    });
    answer.querySelector("form").addEventListener("submit", (event) => event.preventDefault());
  });

  // j / k / n outside a field; Alt+Down / Alt+Up / Alt+N anywhere, so that a TA typing a score never leaves the keyboard
  const moves = {j: () => focus(current + 1), k: () => focus(current - 1), n: nextUngraded,
                 ArrowDown: () => focus(current + 1), ArrowUp: () => focus(current - 1)};
  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA"].includes(document.activeElement && document.activeElement.tagName);
    if (event.key === "Escape" && typing) { document.activeElement.blur(); return; }
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const move = moves[key];
    if (!move || event.ctrlKey || event.metaKey) return;
    if (event.altKey || (!typing && key.length === 1)) { event.preventDefault(); move(); }
  });
  if (answers.length) answers[0].classList.add("current");
}

// ------------------------------------------------------------------ review by student: overrides
function setupReport(report) {
  const assignment = report.dataset.assignment, student = report.dataset.student;
  report.querySelectorAll("tr.check").forEach((row) => {
    const form = row.querySelector("form.override");
    if (!form) return;
    async function send(points) {
      const reason = form.querySelector("input.reason").value;
      try {
        await postJSON(api(assignment, "override"), {student: student, check: row.dataset.check, points: points, reason: reason});
        window.location.reload();
      } catch (error) {
        form.querySelector("input.reason").setCustomValidity(error.message);
        form.querySelector("input.reason").reportValidity();
      }
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = form.querySelector("input.points").value;
      send(value === "" ? null : Number(value));
    });
    const restore = form.querySelector("button.restore");
    if (restore) restore.addEventListener("click", () => send(null));
  });
}

// ------------------------------------------------------------------ regrade with progress
function setupRegrade(button) {
  const progress = document.getElementById("regrade-progress");
  button.addEventListener("click", async () => {
    button.disabled = true;
    const body = {student: button.dataset.student || null};
    try {
      let job = await postJSON(api(button.dataset.assignment, "regrade"), body);
      while (job.state === "running") {
        progress.textContent = "regrading… " + job.done + (job.total ? " / " + job.total : "");
        await new Promise((resolve) => setTimeout(resolve, 500));
        job = await (await fetch("/api/jobs/" + encodeURIComponent(job.id), {credentials: "same-origin"})).json();
      }
      progress.textContent = job.state === "finished" ? "regraded " + job.done + " / " + job.total : "failed: " + job.error;
      if (job.state === "finished") setTimeout(() => window.location.reload(), 600);
    } catch (error) {
      progress.textContent = "failed: " + error.message;
    } finally {
      button.disabled = false;
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const answers = document.getElementById("answers");
  if (answers) setupQuestion(answers);
  const report = document.getElementById("report");
  if (report) setupReport(report);
  document.querySelectorAll("button.regrade").forEach(setupRegrade);
});
