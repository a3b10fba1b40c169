// Bulk award progress: poll the job's API resource until it finishes.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("job");
  if (!box) return;
  const bar = document.getElementById("job-progress");
  const labels = JSON.parse(box.dataset.labels || "{}");  // the words a teacher reads, not the API's codes
  const set = (name, value) => {
    const el = box.querySelector(`[data-field="${name}"]`);
    if (el) el.textContent = String(value);
  };
  async function poll() {
    try {
      const response = await fetch(box.dataset.jobUrl, {headers: {Accept: "application/json"}, credentials: "same-origin"});
      if (!response.ok) return;
      const job = await response.json();
      bar.max = job.total;
      bar.value = job.done;
      bar.textContent = `${job.percent}%`;
      set("status", labels[job.status] || job.status);
      for (const name of ["done", "total", "failed"]) set(name, job[name]);
      set("issued", job.result.issued || 0);
      set("already_had", job.result.already_had || 0);
      box.dataset.status = job.status;
      if (job.status === "queued" || job.status === "running") setTimeout(poll, 1000);
    } catch (err) {
      setTimeout(poll, 3000);
    }
  }
  if (box.dataset.status === "queued" || box.dataset.status === "running") poll();
});
