// grader review: saves every change as it happens and lets the keyboard grade.
"use strict";
(function () {
  const form = document.getElementById("grading");
  if (!form) return;
  const token = document.querySelector('meta[name="review-token"]').content;
  const status = document.getElementById("status");
  const grader = document.getElementById("grader");
  const adjustment = document.getElementById("adjustment");
  const comment = document.getElementById("comment");
  const asIs = document.getElementById("as-is");
  const saved = localStorage.getItem("grader-review-name");
  if (saved) grader.value = saved;
  grader.addEventListener("change", () => localStorage.setItem("grader-review-name", grader.value.trim()));

  let queue = Promise.resolve();
  function send(change) {
    // One change at a time, in order, so a quick second click never overtakes the first.
    queue = queue.then(() => post(change));
    return queue;
  }
  async function post(change) {
    status.textContent = "Saving…";
    status.classList.remove("error");
    try {
      const response = await fetch(form.dataset.api, {
        method: "POST",
        headers: {"Content-Type": "application/json", "X-Review-Token": token},
        body: JSON.stringify({...change, grader: grader.value.trim() || undefined}),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.error || response.statusText);
      show(body);
    } catch (error) {
      status.textContent = "Not saved: " + error.message;
      status.classList.add("error");
    }
  }
  function show(grade) {
    for (const box of form.querySelectorAll("input.item")) {
      box.checked = grade.items.includes(Number(box.dataset.item));
    }
    if (document.activeElement !== adjustment) adjustment.value = grade.adjustment;
    if (document.activeElement !== comment) comment.value = grade.comment;
    document.getElementById("score").textContent = fmt(grade.score);
    document.getElementById("total").textContent = fmt(grade.total);
    document.getElementById("possible").textContent = fmt(grade.possible);
    document.getElementById("done").textContent = grade.done;
    status.textContent = "Saved: graded by " + grade.grader + " at " + grade.graded_at;
    status.dataset.saved = grade.graded_at;
    if (asIs) asIs.hidden = true;
  }
  function fmt(x) { return String(Math.round(x * 1e6) / 1e6); }

  for (const box of form.querySelectorAll("input.item")) {
    box.addEventListener("change", () => send({item: Number(box.dataset.item), on: box.checked}));
  }
  function debounced(fn, ms) {
    let timer = null;
    const run = () => { timer = null; fn(); };
    const call = () => { clearTimeout(timer); timer = setTimeout(run, ms); };
    call.flush = () => { if (timer !== null) { clearTimeout(timer); run(); } };
    return call;
  }
  const saveAdjustment = debounced(() => {
    const value = Number(adjustment.value);
    if (adjustment.value.trim() !== "" && Number.isFinite(value)) send({adjustment: value});
  }, 400);
  const saveComment = debounced(() => send({comment: comment.value}), 600);
  adjustment.addEventListener("input", saveAdjustment);
  adjustment.addEventListener("change", saveAdjustment.flush);
  comment.addEventListener("input", saveComment);
  comment.addEventListener("blur", saveComment.flush);
  if (asIs) asIs.addEventListener("click", () => send({}));
  // Leaving the page: what is typed but not sent yet goes first.
  for (const link of document.querySelectorAll("a")) {
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      saveAdjustment.flush();
      saveComment.flush();
      await queue;
      window.location.href = link.href;
    });
  }

  const keys = new Map();
  for (const box of form.querySelectorAll("input.item")) {
    if (box.dataset.key) keys.set(box.dataset.key, box);
  }
  function go(id) {
    const link = document.getElementById(id);
    if (link) link.click();
  }
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (target.matches("input[type=number], input:not([type]), input[type=text], textarea")) {
      if (event.key === "Escape") target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const box = keys.get(event.key);
    if (box) {
      event.preventDefault();
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change"));
    } else if (event.key === "ArrowRight") {
      go("next");
    } else if (event.key === "ArrowLeft") {
      go("previous");
    } else if (event.key === "n") {
      go("next-ungraded");
    }
  });
  document.body.dataset.ready = "1";  // every handler is in place
})();
