// The workbench's only script (no inline script is allowed). Keyboard: "g o" order desk, "g l" lists,
// "g d" dashboard; typing in a field is never taken as a shortcut.
(function () {
  var pending = null;
  var targets = { o: "/ui/orders", l: "/ui/lists", d: "/ui/dashboard" };
  document.addEventListener("keydown", function (event) {
    var tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (pending === "g" && targets[event.key]) {
      window.location.assign(targets[event.key]);
    }
    pending = event.key === "g" ? "g" : null;
  });
})();
