// Badges pages: a "Copy link" button where the Clipboard API exists (progressive enhancement).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("button[data-copy]").forEach((button) => {
    if (!navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(button.dataset.copy);
        button.textContent = "Link copied";
      } catch (err) {
        button.textContent = "Copy failed";
      }
    });
  });
});
