// The widget manager's sanitiser (sanitize-html, with postcss) is used only for widget descriptions
// written as HTML, which these pages do not have: keep the text, drop every tag.
export default function sanitize(html) {
  const doc = new DOMParser().parseFromString(String(html), "text/html");
  const div = document.createElement("div");
  div.textContent = doc.body.textContent || "";
  return div.innerHTML;
}
