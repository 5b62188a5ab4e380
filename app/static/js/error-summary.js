// Move focus to the error summary a form came back with, so keyboard and screen-reader
// users start at what went wrong instead of at the top of the page.
var summary = document.querySelector("[data-error-summary]");
if (summary) {
  summary.focus();
}
