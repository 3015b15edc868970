// The workbench's only script (no inline script is allowed). Keyboard: "j" / "k" the next and previous
// case, "g q" queue, "g o" order desk, "g l" lists, "g d" dashboard. Typing in a field is never a shortcut.
(function () {
  var pending = null;
  var targets = { q: "/ui/queue", o: "/ui/orders", l: "/ui/lists", d: "/ui/dashboard" };
  function follow(relation) {
    var link = document.querySelector('a[rel="' + relation + '"]');
    if (link) {
      window.location.assign(link.href);
    }
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (pending === "g" && targets[event.key]) {
      window.location.assign(targets[event.key]);
    } else if (event.key === "j") {
      follow("next");
    } else if (event.key === "k") {
      follow("prev");
    }
    pending = event.key === "g" ? "g" : null;
  });
})();
