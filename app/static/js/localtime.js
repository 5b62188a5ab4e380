// Show <time datetime="..."> values in the browser's time zone; without JavaScript they stay in UTC.
document.querySelectorAll("time[datetime]").forEach(function (element) {
  var moment = new Date(element.getAttribute("datetime"));
  if (!isNaN(moment)) {
    element.title = element.textContent;
    element.textContent = moment.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
  }
});
