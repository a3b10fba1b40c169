// Badge designer: show the chosen image before it is uploaded (a data: URL, allowed by the CSP).
document.addEventListener("DOMContentLoaded", () => {
  const input = document.getElementById("f-image");
  const preview = document.getElementById("image-preview");
  if (!input || !preview) return;
  input.addEventListener("change", () => {
    const file = input.files && input.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = () => { preview.src = String(reader.result); };
    reader.readAsDataURL(file);
  });
});
