// "Copy" buttons: hidden without JavaScript, where the read-only field stays selectable.
document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
  var field = document.getElementById(button.getAttribute("data-copy-from"));
  var status = document.getElementById(button.getAttribute("data-copy-status"));
  if (!field) {
    return;
  }
  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }
  function copyBySelection() {
    // Plain-HTTP pages have no navigator.clipboard; the older command still copies there.
    field.select();
    return document.execCommand("copy");
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    var copied = navigator.clipboard
      ? navigator.clipboard.writeText(field.value).then(function () { return true; }, copyBySelection)
      : Promise.resolve(copyBySelection());
    copied.then(function (ok) {
      say(ok ? "Copied." : "Select the link and copy it with Ctrl+C.");
    });
  });
});
// Selecting the whole link with one click, so it is easy to copy by hand too.
document.querySelectorAll("input.copy-source").forEach(function (field) {
  field.addEventListener("focus", function () { field.select(); });
});
